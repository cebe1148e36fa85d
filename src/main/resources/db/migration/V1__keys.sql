-- SPDX-License-Identifier: Apache-2.0
-- The key store of cluster mode (org.mailseal.keys.PgKeyStore).

-- One row per domain that has keys: every change to a domain's keys first locks its row
-- (SELECT ... FOR UPDATE), so two nodes changing the same domain take turns, even for its
-- first key.
CREATE TABLE dkim_domains (
  domain TEXT PRIMARY KEY
);

CREATE TABLE dkim_keys (
  domain      TEXT        NOT NULL REFERENCES dkim_domains (domain),
  selector    TEXT        NOT NULL,
  algorithm   TEXT        NOT NULL CHECK (algorithm IN ('rsa', 'ed25519')),
  bits        INTEGER     NOT NULL,
  state       TEXT        NOT NULL CHECK (state IN ('PENDING', 'ACTIVE', 'RETIRED', 'REVOKED')),
  created     TIMESTAMPTZ NOT NULL,
  activated   TIMESTAMPTZ,
  retired     TIMESTAMPTZ,
  revoked     TIMESTAMPTZ,
  -- the public key record (v=DKIM1; k=...; p=...), as it is published
  record      TEXT        NOT NULL,
  -- the PKCS#8 private key, AES-256-GCM under the key-encryption key, with
  -- "domain selector" as associated data: 0x01 || nonce || ciphertext || tag
  private_key BYTEA       NOT NULL,
  PRIMARY KEY (domain, selector)
);

-- The store's own rule, kept by the database too: at most one ACTIVE key per domain and
-- algorithm.
CREATE UNIQUE INDEX dkim_keys_one_active ON dkim_keys (domain, algorithm) WHERE state = 'ACTIVE';
