-- Break-the-glass: time-boxed emergency access of one user to one person outside their agencies' scope.
-- The reason is sealed under the person's data key (column tag break_glass_grants.reason): erasing the person
-- shreds it too. Grants are a record: the runtime role may insert and read them, never change or delete them.
CREATE TABLE "break_glass_grants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL REFERENCES "users"("id"),
	"agency_id" uuid NOT NULL REFERENCES "agencies"("id"),
	"person_id" uuid NOT NULL REFERENCES "persons"("id"),
	"reason" "bytea" NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	CONSTRAINT "break_glass_grants_window" CHECK ("expires_at" > "created_at")
);
--> statement-breakpoint
CREATE INDEX "break_glass_grants_user_idx" ON "break_glass_grants" USING btree ("user_id", "person_id", "expires_at");
--> statement-breakpoint
CREATE INDEX "break_glass_grants_created_idx" ON "break_glass_grants" USING btree ("created_at");
--> statement-breakpoint
CREATE INDEX "break_glass_grants_person_idx" ON "break_glass_grants" USING btree ("person_id");
--> statement-breakpoint
GRANT SELECT, INSERT ON break_glass_grants TO halas_app;
--> statement-breakpoint
-- The user the request acts for (app.user_id, set by withTx). No setting: nobody.
CREATE OR REPLACE FUNCTION halas_user_id() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('app.user_id', true), '')::uuid
$$;
--> statement-breakpoint
-- The application's clock when it set one for the transaction (app.now), else the database's: grant expiry is
-- decided on the same clock in the service and in row-level security.
CREATE OR REPLACE FUNCTION halas_now() RETURNS timestamp with time zone LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('app.now', true), '')::timestamp with time zone, now())
$$;
--> statement-breakpoint
ALTER TABLE break_glass_grants ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE break_glass_grants FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- A user sees (and may create) only their own grants; the oversight path sees all of them.
CREATE POLICY break_glass_grants_own ON break_glass_grants TO halas_app
  USING (halas_system_scope() OR user_id = halas_user_id())
  WITH CHECK (halas_system_scope() OR user_id = halas_user_id());
--> statement-breakpoint
-- A second, read-only permissive policy on persons (OR-ed with persons_scope of 0003, which stays as it is):
-- the person of an unexpired grant of the request's user. No user in the context: no grant, no row. Keys
-- follow (person_keys_scope reads persons); tokens are readable anyway; consents are not opened by a grant.
CREATE POLICY persons_break_glass ON persons FOR SELECT TO halas_app
  USING (id IN (SELECT g.person_id FROM break_glass_grants g
                 WHERE g.user_id = halas_user_id() AND g.expires_at > halas_now()));
--> statement-breakpoint
-- Consent at 18: one task per person, ever (the daily job inserts with ON CONFLICT DO NOTHING).
CREATE UNIQUE INDEX "tasks_consent_at_18_once" ON "tasks" USING btree ("person_id") WHERE "kind" = 'consent_at_18';
--> statement-breakpoint
-- Duplicates, resolved by the national coordinator. A link keeps both records and shows them as the same
-- person to whoever may see both; a merge keeps one (the survivor) and turns the other into a tombstone
-- pointing to it.
ALTER TABLE "persons" ADD COLUMN "merged_into" uuid REFERENCES "persons"("id");
--> statement-breakpoint
CREATE TABLE "person_links" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"person_a" uuid NOT NULL REFERENCES "persons"("id"),
	"person_b" uuid NOT NULL REFERENCES "persons"("id"),
	"task_id" uuid REFERENCES "tasks"("id"),
	"created_by" uuid NOT NULL REFERENCES "users"("id"),
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "person_links_ordered" CHECK ("person_a" < "person_b")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "person_links_pair" ON "person_links" USING btree ("person_a", "person_b");
--> statement-breakpoint
CREATE INDEX "person_links_b_idx" ON "person_links" USING btree ("person_b");
--> statement-breakpoint
-- What undoing a merge needs, sealed under the survivor's data key (column tag person_merges.snapshot): both
-- records' envelopes (still ciphertext), their name tokens and the ids of the rows that moved. Kept until
-- keep_until, then cleared by the daily job: after that a merge is final.
CREATE TABLE "person_merges" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"survivor_id" uuid NOT NULL REFERENCES "persons"("id"),
	"merged_id" uuid NOT NULL REFERENCES "persons"("id"),
	"task_id" uuid REFERENCES "tasks"("id"),
	"snapshot" "bytea",
	"survivor_version" integer NOT NULL,
	"created_by" uuid NOT NULL REFERENCES "users"("id"),
	"created_at" timestamp with time zone NOT NULL,
	"keep_until" timestamp with time zone NOT NULL,
	"undone_by" uuid REFERENCES "users"("id"),
	"undone_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "person_merges_created_idx" ON "person_merges" USING btree ("created_at");
--> statement-breakpoint
CREATE INDEX "person_merges_merged_idx" ON "person_merges" USING btree ("merged_id");
--> statement-breakpoint
GRANT SELECT, INSERT ON person_links TO halas_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON person_merges TO halas_app;
--> statement-breakpoint
ALTER TABLE person_links ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE person_links FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- A link is visible when both of its persons are (persons' own policies decide); the coordinator writes on
-- the oversight path.
CREATE POLICY person_links_scope ON person_links TO halas_app
  USING (halas_system_scope() OR (person_a IN (SELECT id FROM persons) AND person_b IN (SELECT id FROM persons)))
  WITH CHECK (halas_system_scope());
--> statement-breakpoint
ALTER TABLE person_merges ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE person_merges FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY person_merges_system ON person_merges TO halas_app
  USING (halas_system_scope()) WITH CHECK (halas_system_scope());
