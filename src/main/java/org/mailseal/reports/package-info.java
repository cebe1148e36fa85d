// SPDX-License-Identifier: Apache-2.0
/**
 * DMARC aggregate reports: reading them (files, {@code .gz}, {@code .zip}, e-mails, an IMAP
 * mailbox) with size limits ({@link ReportReader}, {@link ReportParser}), keeping them ({@link
 * ReportStore}: files under {@code var/reports/} or PostgreSQL), and saying what they mean: per
 * source address, who sent the domain's mail ({@link Classification}) and whether the next step of
 * the DMARC ramp is safe ({@link Ramp}). The meaning is a pure function of the stored reports, the
 * clock and the domain's facts ({@link DomainFacts}).
 */
package org.mailseal.reports;
