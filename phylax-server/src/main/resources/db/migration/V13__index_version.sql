-- Which version of the record store's indexing rules (search tokens, relationship rows) the stored
-- index was built with. When the code's version is higher, the server rebuilds the index of every
-- stored resource in the background (records/internal/SearchReindex) and then records the new one.
create table record_index_state (
    id      smallint primary key check (id = 1),
    version integer  not null
);
insert into record_index_state (id, version) values (1, 1);
