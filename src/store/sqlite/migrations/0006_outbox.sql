-- 0006_outbox: the durable mail outbox (src/mail/).
--
-- A message is a row from the moment qoc_mail_enqueue returns: the sender thread reads due
-- rows (sent_at IS NULL AND next_attempt_at <= now) and marks each sent or failed. A row
-- the sender gave up on keeps next_attempt_at NULL, so it is never due again but stays
-- for an operator to read (last_error says why). Only the body text is kept; headers are
-- made at delivery from the row (Date = created_at, Message-ID from id), so every retry
-- sends the same message.
CREATE TABLE outbox (
	id INTEGER PRIMARY KEY,
	to_addr TEXT NOT NULL CHECK (length(to_addr) BETWEEN 3 AND 254),
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER,
	sent_at INTEGER,
	last_error TEXT
) STRICT;

-- The sender's query: unsent rows by due time.
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE sent_at IS NULL;
