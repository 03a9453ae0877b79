/**
 * The encrypted clinical record store: FHIR R4 resources with their full version history, every
 * body encrypted under the keyring's current key and bound to its place, searchable through blind
 * indexes only. The API is {@link org.phylax.records.RecordStore}; each method that reads or writes
 * PHI takes an {@link org.phylax.access.Permit}, which only the access module can make. {@link
 * org.phylax.records.Reencryption} moves stored values to the current key after a rotation. Nothing
 * else in Phylax touches the record tables.
 */
package org.phylax.records;
