-- Erasure requests (GDPR Art. 17): asked with a reason (sealed under the person's data key, so it is
-- shredded with the person), approved by the DPO plus a second approver, or rejected with a reason.
CREATE TABLE "erasure_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"person_id" uuid NOT NULL REFERENCES "persons"("id"),
	"owner_agency_id" uuid NOT NULL REFERENCES "agencies"("id"),
	"status" text DEFAULT 'pending' NOT NULL CHECK ("status" IN ('pending', 'approved', 'rejected')),
	"reason" bytea NOT NULL,
	"requested_by" uuid NOT NULL REFERENCES "users"("id"),
	"requested_at" timestamp with time zone NOT NULL,
	"dpo_approved_by" uuid REFERENCES "users"("id"),
	"dpo_approved_at" timestamp with time zone,
	"second_approved_by" uuid REFERENCES "users"("id"),
	"second_approved_at" timestamp with time zone,
	"rejected_by" uuid REFERENCES "users"("id"),
	"rejected_at" timestamp with time zone,
	"rejection_reason" bytea,
	"completed_at" timestamp with time zone,
	"version" integer DEFAULT 1 NOT NULL,
	CONSTRAINT "erasure_requests_distinct_approvers" CHECK (
		"dpo_approved_by" IS DISTINCT FROM "requested_by"
		AND "second_approved_by" IS DISTINCT FROM "requested_by"
		AND ("dpo_approved_by" IS NULL OR "dpo_approved_by" IS DISTINCT FROM "second_approved_by")
	)
);
--> statement-breakpoint
CREATE INDEX "erasure_requests_status_idx" ON "erasure_requests" USING btree ("status", "requested_at");
--> statement-breakpoint
CREATE INDEX "erasure_requests_person_idx" ON "erasure_requests" USING btree ("person_id");
--> statement-breakpoint
-- At most one open request per person.
CREATE UNIQUE INDEX "erasure_requests_one_pending" ON "erasure_requests" USING btree ("person_id") WHERE "status" = 'pending';
--> statement-breakpoint
-- The retention job finds expired persons by last activity without scanning every row.
CREATE INDEX "persons_retention_idx" ON "persons" USING btree ("updated_at") WHERE "erased_at" IS NULL;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE ON erasure_requests TO halas_app;
--> statement-breakpoint
ALTER TABLE erasure_requests ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE erasure_requests FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- Requests are decided across agencies by the DPO and the second approver (pseudonymous references only):
-- that is the system path; otherwise only the owning agency's own requests are visible.
CREATE POLICY erasure_requests_scope ON erasure_requests TO halas_app
  USING (halas_system_scope() OR owner_agency_id = ANY (halas_agency_ids()))
  WITH CHECK (halas_system_scope() OR owner_agency_id = ANY (halas_agency_ids()));
