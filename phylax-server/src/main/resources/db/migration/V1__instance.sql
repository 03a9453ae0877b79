-- One row that names this Phylax database; written at the first start.
create table phylax_instance (
    singleton   boolean     primary key default true check (singleton),
    instance_id uuid        not null,
    created_at  timestamptz not null default now()
);
