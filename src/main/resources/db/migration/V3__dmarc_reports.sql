-- SPDX-License-Identifier: Apache-2.0
-- DMARC aggregate reports of cluster mode (org.mailseal.reports.PgReportStore).

-- One row per report, known by its reporter and report id: the same report read by two nodes
-- is stored once. The report itself is JSON in the format of org.mailseal.reports.ReportCodec.
CREATE TABLE dmarc_reports (
  org_name    TEXT        NOT NULL,
  report_id   TEXT        NOT NULL,
  domain      TEXT        NOT NULL,
  begin_at    TIMESTAMPTZ NOT NULL,
  end_at      TIMESTAMPTZ NOT NULL,
  messages    BIGINT      NOT NULL,
  report      TEXT        NOT NULL,
  imported_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (org_name, report_id)
);

CREATE INDEX dmarc_reports_domain_begin ON dmarc_reports (domain, begin_at);
