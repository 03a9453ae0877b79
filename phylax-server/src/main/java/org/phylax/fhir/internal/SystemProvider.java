package org.phylax.fhir.internal;

import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.Transaction;
import ca.uhn.fhir.rest.annotation.TransactionParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Patient;
import org.phylax.access.AccessAction;
import org.phylax.access.AccessGate;
import org.phylax.access.AccessRequest;
import org.phylax.access.Permit;
import org.phylax.records.StoredResource;

/**
 * The system-level interactions: transaction and batch bundles ({@code POST /fhir}), and the
 * Patient operation {@code $everything}.
 */
final class SystemProvider {

  private final BundleProcessor bundles;
  private final ResourceBodies bodies;
  private final RecordAccess access;
  private final FhirCallers callers;

  SystemProvider(
      BundleProcessor bundles, ResourceBodies bodies, RecordAccess access, FhirCallers callers) {
    this.bundles = bundles;
    this.bodies = bodies;
    this.access = access;
    this.callers = callers;
  }

  /**
   * HAPI has parsed the body leniently already; it is parsed again strictly, so that an unknown
   * element is refused rather than dropped, with a message that quotes no value.
   */
  @Transaction
  public Bundle transaction(
      @TransactionParam Bundle parsed, RequestDetails details, HttpServletRequest request) {
    FhirCallers.Caller caller = callers.current(request);
    byte[] raw = details.loadRequestContents();
    Bundle bundle =
        (Bundle)
            bodies.parse(
                request.getContentType(), new String(raw, StandardCharsets.UTF_8), "Bundle");
    return bundles.process(bundle, caller);
  }

  /**
   * The patient and every current resource of theirs the caller may read: the gate decides about
   * the patient (403 otherwise, audited and alerted), and each other type is limited by the
   * caller's search scope for it, so a role that may not read a type gets none of it rather than a
   * refusal. Paged with {@code _count} (default 50, at most 500) and {@code _offset}.
   */
  @Operation(name = "$everything", type = Patient.class, idempotent = true)
  public Bundle everything(@IdParam IdType id, RequestDetails details, HttpServletRequest request) {
    UUID patient = FhirTypes.uuid(id.getIdPart());
    if (patient == null) {
      throw new Outcomes.Failure(404, IssueType.NOTFOUND, "Patient ids here are UUIDs.");
    }
    FhirCallers.Caller caller = callers.current(request);
    Map<String, String[]> parameters = details.getParameters();
    int count = number(parameters, "_count", FhirSearch.DEFAULT_COUNT, FhirSearch.MAX_COUNT);
    int offset = number(parameters, "_offset", 0, Integer.MAX_VALUE);
    if (access.store().patientOf("Patient", patient).isEmpty()) {
      throw new Outcomes.Failure(404, IssueType.NOTFOUND, "Patient/" + patient + " does not exist");
    }
    Permit permit = access.enter(caller, AccessAction.READ, "Patient", patient, patient);
    Set<String> types = new LinkedHashSet<>();
    types.add("Patient");
    List<Runnable> disclosures = new ArrayList<>();
    for (String type : FhirTypes.all()) {
      if (!FhirTypes.isPatientOwned(type)) {
        continue;
      }
      AccessRequest search = RecordAccess.request(caller, AccessAction.READ, type, null).build();
      AccessGate.SearchScope scope = access.gate().search(search);
      if (scope.permit().covers(patient)) {
        types.add(type);
        disclosures.add(() -> access.gate().disclosed(search, scope, Set.of(patient)));
      }
    }
    List<StoredResource> all = access.store().everything(permit, patient, types);
    disclosures.forEach(Runnable::run);
    Bundle bundle = new Bundle().setType(Bundle.BundleType.SEARCHSET);
    bundle.setTotal(all.size());
    String base = details.getFhirServerBase();
    for (int i = offset; i < Math.min(all.size(), offset + count); i++) {
      StoredResource stored = all.get(i);
      ResourceIds.set(stored);
      bundle
          .addEntry()
          .setFullUrl(base + "/" + stored.resourceType() + "/" + stored.id())
          .setResource(stored.resource())
          .getSearch()
          .setMode(Bundle.SearchEntryMode.MATCH);
    }
    String self = base + "/Patient/" + patient + "/$everything?_count=" + count;
    bundle.addLink().setRelation("self").setUrl(self + "&_offset=" + offset);
    if (offset + count < all.size()) {
      bundle.addLink().setRelation("next").setUrl(self + "&_offset=" + (offset + count));
    }
    if (offset > 0) {
      bundle
          .addLink()
          .setRelation("previous")
          .setUrl(self + "&_offset=" + Math.max(0, offset - count));
    }
    return bundle;
  }

  private static int number(Map<String, String[]> parameters, String name, int dflt, int max) {
    String[] values = parameters.get(name);
    if (values == null || values.length == 0) {
      return dflt;
    }
    try {
      int n = Integer.parseInt(values[0]);
      if (n >= 0 && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new Outcomes.Failure(
        400, IssueType.INVALID, name + " must be a whole number from 0 to " + max + ".");
  }
}
