-- Exports of an agency's person records (G07, ADR 15). The row holds no personal data: the file is produced
-- on download, from the data and the consents of that moment, and never stored.
CREATE TABLE "person_exports" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"agency_id" uuid NOT NULL REFERENCES "agencies"("id"),
	"purpose" text NOT NULL,
	"format" text NOT NULL CHECK ("format" IN ('csv', 'xlsx')),
	"data_classes" text[] NOT NULL,
	"identifying" boolean NOT NULL,
	"status" text NOT NULL CHECK ("status" IN ('pending', 'approved', 'rejected')),
	"requested_by" uuid NOT NULL REFERENCES "users"("id"),
	"requested_at" timestamp with time zone NOT NULL,
	"decided_by" uuid REFERENCES "users"("id"),
	"decided_at" timestamp with time zone,
	"expires_at" timestamp with time zone NOT NULL,
	"downloads" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "person_exports_second_approver" CHECK ("decided_by" IS DISTINCT FROM "requested_by"),
	CONSTRAINT "person_exports_identifying_approved" CHECK (
		NOT "identifying" OR "status" <> 'approved' OR "decided_by" IS NOT NULL
	)
);
--> statement-breakpoint
CREATE INDEX "person_exports_agency_idx" ON "person_exports" USING btree ("agency_id", "requested_at");
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON person_exports TO halas_app;
--> statement-breakpoint
ALTER TABLE person_exports ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE person_exports FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY person_exports_scope ON person_exports TO halas_app
  USING ((SELECT halas_system_scope()) OR agency_id = ANY ((SELECT halas_agency_ids())::uuid[]))
  WITH CHECK ((SELECT halas_system_scope()) OR agency_id = ANY ((SELECT halas_agency_ids())::uuid[]));
