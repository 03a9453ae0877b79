package org.phylax.fhir.internal;

import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.util.UUID;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.phylax.access.AccessAction;
import org.phylax.access.AccessGate;
import org.phylax.access.AccessRequest;
import org.phylax.access.Permit;
import org.phylax.records.RecordStore;

/**
 * The access-gate calls the resource providers, bundle, conditional and operation code share: which
 * patient an existing resource belongs to, and entering the gate for one resource.
 */
final class RecordAccess {

  private final RecordStore store;
  private final AccessGate gate;

  RecordAccess(RecordStore store, AccessGate gate) {
    this.store = store;
    this.gate = gate;
  }

  RecordStore store() {
    return store;
  }

  AccessGate gate() {
    return gate;
  }

  Permit enter(FhirCallers.Caller caller, AccessAction action, String type, UUID id, UUID patient) {
    return gate.enter(request(caller, action, type, id, patient));
  }

  static AccessRequest request(
      FhirCallers.Caller caller, AccessAction action, String type, UUID id, UUID patient) {
    return request(caller, action, type, id).patient(patient).build();
  }

  /** A create of a resource of a Patient that is created in the same request. */
  static AccessRequest requestForNewPatient(FhirCallers.Caller caller, String type) {
    return request(caller, AccessAction.CREATE, type, null).newPatient().build();
  }

  static AccessRequest.Builder request(
      FhirCallers.Caller caller, AccessAction action, String type, UUID id) {
    return AccessRequest.of(caller.subject(), action, type)
        .resource(id == null ? null : id.toString())
        .client(caller.client());
  }

  /**
   * The patient of an existing resource: a Patient is its own; a directory resource has none; any
   * other is looked up by id (nothing decrypted). An unknown id answers 404 before the gate.
   */
  UUID patientOfStored(String type, UUID id) {
    if ("Patient".equals(type)) {
      return id;
    }
    if (FhirTypes.isDirectory(type)) {
      return null;
    }
    return store
        .patientOf(type, id)
        .orElseThrow(
            () -> {
              String message = type + "/" + id + " does not exist";
              return new ResourceNotFoundException(
                  message, Outcomes.of(IssueType.NOTFOUND, message));
            });
  }
}
