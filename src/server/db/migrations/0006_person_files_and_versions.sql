-- Custom SQL migration file, put your code below! ---- Encrypted photos and scanned documents of a person (issue 4). The bytes live in files outside the
-- database, sealed with AES-256-GCM under the person's data key and bound to person id + file id; a row
-- holds only what is needed to find and describe them. Storage names are random: no personal data in paths.
CREATE TABLE "person_files" (
	"id" uuid PRIMARY KEY NOT NULL,
	"person_id" uuid NOT NULL REFERENCES "persons"("id"),
	"kind" text NOT NULL CHECK ("kind" IN ('photo', 'identity_document', 'consent_form')),
	"field_class" text NOT NULL CHECK ("field_class" IN ('identity', 'contact', 'trafficking', 'health', 'legal', 'child')),
	"content_type" text NOT NULL CHECK ("content_type" IN ('image/jpeg', 'image/png', 'application/pdf')),
	"size_bytes" integer NOT NULL CHECK ("size_bytes" > 0),
	"storage_name" text NOT NULL UNIQUE CHECK ("storage_name" ~ '^[0-9a-f]{32}$'),
	"uploaded_by" uuid NOT NULL,
	"uploaded_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE INDEX "person_files_person_idx" ON "person_files" USING btree ("person_id", "uploaded_at");
--> statement-breakpoint
-- Rectification history (G25): every change of a person's record keeps the previous value of each changed
-- part ('statistics' or a field class), sealed under the person's data key like the live fields and bound
-- to person, version and part. Field names only in clear. Append-only for the application.
CREATE TABLE "person_versions" (
	"person_id" uuid NOT NULL REFERENCES "persons"("id"),
	"version" integer NOT NULL,
	"part" text NOT NULL CHECK ("part" IN ('statistics', 'identity', 'contact', 'trafficking', 'health', 'legal', 'child')),
	"fields" text[] NOT NULL,
	"previous_enc" bytea,
	"changed_by" uuid NOT NULL,
	"changed_agency_id" uuid,
	"changed_at" timestamp with time zone NOT NULL,
	PRIMARY KEY ("person_id", "version", "part")
);
--> statement-breakpoint
GRANT SELECT, INSERT, DELETE ON person_files TO halas_app;
--> statement-breakpoint
GRANT SELECT, INSERT ON person_versions TO halas_app;
--> statement-breakpoint
-- Second wall, as for person_keys: rows follow the visibility of their person; only the owning agency
-- writes.
ALTER TABLE person_files ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE person_files FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY person_files_scope ON person_files TO halas_app
  USING (halas_system_scope() OR person_id IN (SELECT id FROM persons))
  WITH CHECK (halas_system_scope()
    OR person_id IN (SELECT id FROM persons WHERE owner_agency_id = ANY (halas_agency_ids())));
--> statement-breakpoint
ALTER TABLE person_versions ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE person_versions FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY person_versions_scope ON person_versions TO halas_app
  USING (halas_system_scope() OR person_id IN (SELECT id FROM persons))
  WITH CHECK (halas_system_scope()
    OR person_id IN (SELECT id FROM persons WHERE owner_agency_id = ANY (halas_agency_ids())));
