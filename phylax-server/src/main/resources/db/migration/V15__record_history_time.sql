-- Type and system history (FHIR GET /Type/_history, GET /_history) list versions newest first by
-- when each was written (a delete's version: when it was deleted), optionally since an instant.
create index record_resource_history_time
    on record_resource_history (resource_type, (coalesce(deleted_at, updated_at)) desc);
