-- Idempotency keys (G33): one row per (user, agency, key) for 24 hours. The key itself is kept only as a
-- keyed HMAC (a client could put anything in it), the request as a keyed HMAC fingerprint, and the stored
-- answer sealed with the instance key (it can hold a survivor's data). `committed` is set inside the
-- business transaction (by writeAudit), so a claim whose request never committed can safely be retried.
CREATE TABLE "idempotency_keys" (
	"user_id" uuid NOT NULL REFERENCES "users"("id") ON DELETE CASCADE,
	"agency_id" uuid NOT NULL,
	"key_hash" bytea NOT NULL,
	"claim_id" uuid NOT NULL,
	"fingerprint" bytea NOT NULL,
	"state" text NOT NULL CHECK ("state" IN ('in_flight', 'done')),
	"committed" boolean DEFAULT false NOT NULL,
	"lease_until" timestamp with time zone NOT NULL,
	"status_code" integer,
	"response" bytea,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	PRIMARY KEY ("user_id", "agency_id", "key_hash"),
	CONSTRAINT "idempotency_keys_done_has_response" CHECK ("state" = 'in_flight' OR ("status_code" IS NOT NULL AND "response" IS NOT NULL))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "idempotency_keys_claim_idx" ON "idempotency_keys" USING btree ("claim_id");
--> statement-breakpoint
CREATE INDEX "idempotency_keys_expires_idx" ON "idempotency_keys" USING btree ("expires_at");
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO halas_app;
--> statement-breakpoint
-- Keys are per user: under the runtime role a transaction sees only the rows of its own user (app.user_id);
-- the purge of expired rows runs on the named system path.
ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY idempotency_keys_own ON idempotency_keys TO halas_app
  USING (halas_system_scope() OR user_id::text = current_setting('app.user_id', true))
  WITH CHECK (halas_system_scope() OR user_id::text = current_setting('app.user_id', true));
--> statement-breakpoint
-- Optimistic concurrency (G34): memberships get a version like agencies, users, persons and consents.
ALTER TABLE "memberships" ADD COLUMN "version" integer DEFAULT 1 NOT NULL;
