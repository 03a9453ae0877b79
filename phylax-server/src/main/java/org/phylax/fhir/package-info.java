/**
 * The FHIR R4 API at {@code /fhir}: HAPI FHIR's plain {@code RestfulServer} with one resource
 * provider per type the record store keeps. Every interaction builds an {@link
 * org.phylax.access.AccessRequest} from the bearer token's subject (its account read fresh) and
 * passes the {@link org.phylax.access.AccessGate} before the {@link org.phylax.records.RecordStore}
 * is called; every error is an {@code OperationOutcome} that names what was wrong and echoes no
 * value. The module has no API of its own: its contract is HTTP (docs/fhir.md).
 */
package org.phylax.fhir;
