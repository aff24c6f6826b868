-- Row-level security, evaluated once per query instead of once per row (G1, G2, G12). The policies keep
-- their meaning; two things change in how PostgreSQL runs them:
-- 1. the context functions (halas_agency_ids(), halas_system_scope(), …) are wrapped in scalar subqueries,
--    so each is computed once per statement (an InitPlan) rather than parsed again for every row;
-- 2. "person_id IN (SELECT id FROM persons)" becomes a correlated EXISTS, so reading one person's key, files
--    or tokens looks that person up by primary key instead of hashing every person the caller may see.
--> statement-breakpoint
ALTER POLICY break_glass_grants_own ON break_glass_grants USING (((SELECT halas_system_scope()) OR (user_id = (SELECT halas_user_id())))) WITH CHECK (((SELECT halas_system_scope()) OR (user_id = (SELECT halas_user_id()))));
--> statement-breakpoint
ALTER POLICY consents_recipient_type ON consents USING (((recipient_agency_id IS NULL) AND (recipient_type = ANY ((SELECT halas_agency_types())::text[]))));
--> statement-breakpoint
ALTER POLICY consents_scope ON consents USING (((SELECT halas_system_scope()) OR (owner_agency_id = ANY ((SELECT halas_agency_ids())::uuid[])) OR (recipient_agency_id = ANY ((SELECT halas_agency_ids())::uuid[])))) WITH CHECK (((SELECT halas_system_scope()) OR (owner_agency_id = ANY ((SELECT halas_agency_ids())::uuid[]))));
--> statement-breakpoint
ALTER POLICY erasure_requests_scope ON erasure_requests USING (((SELECT halas_system_scope()) OR (owner_agency_id = ANY ((SELECT halas_agency_ids())::uuid[])))) WITH CHECK (((SELECT halas_system_scope()) OR (owner_agency_id = ANY ((SELECT halas_agency_ids())::uuid[]))));
--> statement-breakpoint
ALTER POLICY idempotency_keys_own ON idempotency_keys USING (((SELECT halas_system_scope()) OR ((user_id)::text = (SELECT current_setting('app.user_id'::text, true))))) WITH CHECK (((SELECT halas_system_scope()) OR ((user_id)::text = (SELECT current_setting('app.user_id'::text, true)))));
--> statement-breakpoint
ALTER POLICY person_files_scope ON person_files USING (((SELECT halas_system_scope()) OR (EXISTS (SELECT 1 FROM persons p WHERE p.id = person_id)))) WITH CHECK (((SELECT halas_system_scope()) OR (EXISTS (SELECT 1 FROM persons p WHERE p.id = person_id AND p.owner_agency_id = ANY ((SELECT halas_agency_ids())::uuid[])))));
--> statement-breakpoint
ALTER POLICY person_keys_scope ON person_keys USING (((SELECT halas_system_scope()) OR (EXISTS (SELECT 1 FROM persons p WHERE p.id = person_id)))) WITH CHECK (((SELECT halas_system_scope()) OR (EXISTS (SELECT 1 FROM persons p WHERE p.id = person_id))));
--> statement-breakpoint
ALTER POLICY person_links_scope ON person_links USING (((SELECT halas_system_scope()) OR ((EXISTS (SELECT 1 FROM persons p WHERE p.id = person_a)) AND (EXISTS (SELECT 1 FROM persons p WHERE p.id = person_b))))) WITH CHECK ((SELECT halas_system_scope()));
--> statement-breakpoint
ALTER POLICY person_merges_system ON person_merges USING ((SELECT halas_system_scope())) WITH CHECK ((SELECT halas_system_scope()));
--> statement-breakpoint
ALTER POLICY person_name_tokens_delete ON person_name_tokens USING (((SELECT halas_system_scope()) OR (EXISTS (SELECT 1 FROM persons p WHERE p.id = person_id))));
--> statement-breakpoint
ALTER POLICY person_name_tokens_write ON person_name_tokens WITH CHECK (((SELECT halas_system_scope()) OR (EXISTS (SELECT 1 FROM persons p WHERE p.id = person_id))));
--> statement-breakpoint
ALTER POLICY person_versions_scope ON person_versions USING (((SELECT halas_system_scope()) OR (EXISTS (SELECT 1 FROM persons p WHERE p.id = person_id)))) WITH CHECK (((SELECT halas_system_scope()) OR (EXISTS (SELECT 1 FROM persons p WHERE p.id = person_id AND p.owner_agency_id = ANY ((SELECT halas_agency_ids())::uuid[])))));
--> statement-breakpoint
ALTER POLICY persons_break_glass ON persons USING ((id IN ( SELECT g.person_id FROM break_glass_grants g WHERE ((g.user_id = (SELECT halas_user_id())) AND (g.expires_at > (SELECT halas_now()))))));
--> statement-breakpoint
ALTER POLICY persons_recipient_type ON persons USING ((id IN ( SELECT c.person_id FROM consents c WHERE ((c.recipient_agency_id IS NULL) AND (c.recipient_type = ANY ((SELECT halas_agency_types())::text[])) AND (c.withdrawn_at IS NULL)))));
--> statement-breakpoint
ALTER POLICY persons_scope ON persons USING (((SELECT halas_system_scope()) OR (owner_agency_id = ANY ((SELECT halas_agency_ids())::uuid[])) OR (id IN ( SELECT c.person_id FROM consents c WHERE ((c.recipient_agency_id = ANY ((SELECT halas_agency_ids())::uuid[])) AND (c.withdrawn_at IS NULL)))) OR (id IN ( SELECT o.person_id FROM consent_overrides o WHERE ((o.recipient_agency_id = ANY ((SELECT halas_agency_ids())::uuid[])) AND (o.status = 'approved'::text)))))) WITH CHECK (((SELECT halas_system_scope()) OR (owner_agency_id = ANY ((SELECT halas_agency_ids())::uuid[]))));
--> statement-breakpoint
-- Consents to a type of recipient, as the recipient-type policies look them up.
CREATE INDEX consents_recipient_type_idx ON consents (recipient_type)
  WHERE recipient_agency_id IS NULL AND withdrawn_at IS NULL;
--> statement-breakpoint
-- The bulk-access brake counts one user's reveals in the last hour: without this index it read the user's
-- whole audit history first.
CREATE INDEX audit_events_reveals_idx ON audit_events (actor_user_id, at) WHERE action = 'person.reveal';
