package org.phylax.fhir.internal;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.annotation.Create;
import ca.uhn.fhir.rest.annotation.Delete;
import ca.uhn.fhir.rest.annotation.History;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Patch;
import ca.uhn.fhir.rest.annotation.Read;
import ca.uhn.fhir.rest.annotation.ResourceParam;
import ca.uhn.fhir.rest.annotation.Search;
import ca.uhn.fhir.rest.annotation.Update;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.api.PatchTypeEnum;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.server.IResourceProvider;
import ca.uhn.fhir.rest.server.exceptions.PreconditionFailedException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Resource;
import org.phylax.access.AccessAction;
import org.phylax.access.Permit;
import org.phylax.records.RecordDeletedException;
import org.phylax.records.RecordStore;
import org.phylax.records.StoredResource;
import org.phylax.records.VersionConflictException;

/**
 * The FHIR interactions for one resource type: read, vread, create, update, delete, instance
 * history and type search. Each one finds the patient the request is about (the resource's own id
 * for a Patient, the stored resource's patient for an existing resource, the body's reference for a
 * create), passes the access gate, and only then calls the record store with the permit.
 */
final class RecordResourceProvider implements IResourceProvider {

  private static final Pattern IF_MATCH = Pattern.compile("(?:W/)?\"?(\\d{1,18})\"?");

  private final String type;
  private final Class<? extends IBaseResource> resourceClass;
  private final RecordStore store;
  private final RecordAccess access;
  private final FhirCallers callers;
  private final ResourceBodies bodies;
  private final FhirSearch search;
  private final FhirContext fhir;
  private final ConditionalMatches conditionals;
  private final FhirHistory histories;

  RecordResourceProvider(
      String type,
      FhirContext fhir,
      RecordAccess access,
      FhirCallers callers,
      ResourceBodies bodies,
      FhirSearch search,
      ConditionalMatches conditionals,
      FhirHistory histories) {
    this.type = type;
    this.fhir = fhir;
    this.resourceClass = fhir.getResourceDefinition(type).getImplementingClass();
    this.store = access.store();
    this.access = access;
    this.callers = callers;
    this.bodies = bodies;
    this.search = search;
    this.conditionals = conditionals;
    this.histories = histories;
  }

  @Override
  public Class<? extends IBaseResource> getResourceType() {
    return resourceClass;
  }

  @Read(version = true)
  public IBaseResource read(@IdParam IdType id, HttpServletRequest request) {
    UUID uuid = idOf(id);
    FhirCallers.Caller caller = callers.current(request);
    Permit permit = enter(caller, AccessAction.READ, uuid, patientOfStored(uuid));
    StoredResource stored =
        id.hasVersionIdPart()
            ? store.vread(permit, type, uuid, version(id.getVersionIdPart()))
            : store.read(permit, type, uuid);
    ResourceIds.set(stored);
    return stored.resource();
  }

  /**
   * With {@code If-None-Exist: identifier=…} a conditional create: one match answers 200 with the
   * existing resource, none creates, more than one answers 412.
   */
  @Create
  public MethodOutcome create(@ResourceParam String body, HttpServletRequest request) {
    Resource resource = bodies.parse(request.getContentType(), body, type);
    resource.setIdElement(null); // the server assigns ids
    FhirCallers.Caller caller = callers.current(request);
    String ifNoneExist = request.getHeader("If-None-Exist");
    if (ifNoneExist != null && !ifNoneExist.isBlank()) {
      List<StoredResource> found =
          conditionals.find(caller, ConditionalMatches.parse(type, ifNoneExist));
      if (found.size() > 1) {
        String message = "If-None-Exist matches " + found.size() + " resources, not one.";
        throw new PreconditionFailedException(message, Outcomes.of(IssueType.DUPLICATE, message));
      }
      if (found.size() == 1) {
        return outcome(found.get(0), false);
      }
    }
    UUID patient = store.patientOfNew(resource).orElse(null);
    Permit permit = enter(caller, AccessAction.CREATE, null, patient);
    StoredResource stored = store.create(permit, resource);
    return outcome(stored, true);
  }

  /**
   * With {@code If-Match} the update applies only to that version (412 otherwise); without it, to
   * whatever version is current when it runs — last writer wins, as FHIR allows — and a writer who
   * slips in between answers 409.
   */
  @Update
  public MethodOutcome update(
      @IdParam IdType id, @ResourceParam String body, HttpServletRequest request) {
    UUID uuid = idOf(id);
    Resource resource = bodies.parse(request.getContentType(), body, type);
    if (!resource.getIdElement().hasIdPart()) {
      throw new Outcomes.Failure(
          400, IssueType.REQUIRED, "The body of an update must carry the resource's id.");
    }
    if (!resource.getIdElement().getIdPart().equals(id.getIdPart())) {
      throw new Outcomes.Failure(
          400, IssueType.INVALID, "The id in the body is not the id in the URL.");
    }
    Long expected = ifMatch(request.getHeader("If-Match"));
    FhirCallers.Caller caller = callers.current(request);
    Permit permit = enter(caller, AccessAction.UPDATE, uuid, patientOfStored(uuid));
    // Without If-Match the client asked for no concurrency check: the store writes over the
    // version current under its row lock (no read before, and no 409 between two such updates).
    long version = expected != null ? expected : RecordStore.CURRENT_VERSION;
    try {
      return outcome(store.update(permit, uuid, version, resource), false);
    } catch (VersionConflictException e) {
      throw new PreconditionFailedException(
          e.getMessage(), Outcomes.of(IssueType.CONFLICT, e.getMessage()));
    }
  }

  /**
   * JSON Patch ({@code application/json-patch+json}) of the current version, or of the version
   * {@code If-Match} names (412 when it is no longer current); the patched resource goes the way of
   * an update, so it is parsed strictly and cannot move to another patient (422). HAPI gives a
   * patch's answer no ETag of its own, so it is set here, as update has it.
   */
  @Patch
  public MethodOutcome patch(
      @IdParam IdType id,
      PatchTypeEnum patchType,
      @ResourceParam String body,
      HttpServletRequest request,
      HttpServletResponse response) {
    if (patchType != PatchTypeEnum.JSON_PATCH) {
      throw new Outcomes.Failure(
          415,
          IssueType.NOTSUPPORTED,
          "PATCH takes JSON Patch (application/json-patch+json) only.");
    }
    UUID uuid = idOf(id);
    Long expected = ifMatch(request.getHeader("If-Match"));
    FhirCallers.Caller caller = callers.current(request);
    Permit permit = enter(caller, AccessAction.UPDATE, uuid, patientOfStored(uuid));
    StoredResource current = store.read(permit, type, uuid);
    if (expected != null && expected != current.version()) {
      String message =
          type
              + "/"
              + uuid
              + ": the patch was for version "
              + expected
              + " but version "
              + current.version()
              + " is current";
      throw new PreconditionFailedException(message, Outcomes.of(IssueType.CONFLICT, message));
    }
    String patched =
        JsonPatch.apply(fhir.newJsonParser().encodeResourceToString(current.resource()), body);
    Resource resource = bodies.parse("application/fhir+json", patched, type);
    if (!uuid.toString().equals(resource.getIdElement().getIdPart())) {
      throw new Outcomes.Failure(422, IssueType.PROCESSING, "A patch cannot change the id.");
    }
    StoredResource written;
    try {
      written = store.update(permit, uuid, current.version(), resource);
    } catch (VersionConflictException e) {
      if (expected != null) {
        throw new PreconditionFailedException(
            e.getMessage(), Outcomes.of(IssueType.CONFLICT, e.getMessage()));
      }
      throw e;
    }
    response.setHeader("ETag", "W/\"" + written.version() + "\"");
    return outcome(written, false);
  }

  /** A soft delete; deleting what is already deleted succeeds again, as FHIR has it. */
  @Delete
  public MethodOutcome delete(@IdParam IdType id, HttpServletRequest request) {
    UUID uuid = idOf(id);
    FhirCallers.Caller caller = callers.current(request);
    Permit permit = enter(caller, AccessAction.DELETE, uuid, patientOfStored(uuid));
    try {
      store.delete(permit, type, uuid);
    } catch (RecordDeletedException e) {
      // already deleted: nothing to do
    }
    OperationOutcome outcome = new OperationOutcome();
    outcome
        .addIssue()
        .setSeverity(OperationOutcome.IssueSeverity.INFORMATION)
        .setCode(IssueType.INFORMATIONAL)
        .setDiagnostics(type + "/" + uuid + " is deleted; its history is kept.");
    return new MethodOutcome().setOperationOutcome(outcome);
  }

  /**
   * Every version, newest first, as {@link FhirHistory} shapes a history (the version that deleted
   * it as a DELETE entry without a resource); {@code _since}, {@code _count} and {@code _offset}.
   */
  @History
  public Bundle history(@IdParam IdType id, HttpServletRequest request, RequestDetails details) {
    UUID uuid = idOf(id);
    FhirCallers.Caller caller = callers.current(request);
    Permit permit = enter(caller, AccessAction.READ, uuid, patientOfStored(uuid));
    return FhirHistory.instance(store.history(permit, type, uuid), details);
  }

  /** The versions of every resource of this type whose patient the caller may see. */
  @History
  public Bundle typeHistory(HttpServletRequest request, RequestDetails details) {
    return histories.type(type, callers.current(request), details);
  }

  @Search(allowUnknownParams = true)
  public Bundle search(HttpServletRequest request, RequestDetails details) {
    FhirCallers.Caller caller = callers.current(request);
    return search.search(type, caller, details.getParameters(), details.getFhirServerBase());
  }

  // ---------------------------------------------------------------- helpers

  private Permit enter(FhirCallers.Caller caller, AccessAction action, UUID id, UUID patient) {
    return access.enter(caller, action, type, id, patient);
  }

  /** The patient of an existing resource; an unknown id answers 404 before the gate. */
  private UUID patientOfStored(UUID id) {
    return access.patientOfStored(type, id);
  }

  private UUID idOf(IdType id) {
    UUID uuid = FhirTypes.uuid(id.getIdPart());
    if (uuid == null) {
      throw new RecordNotFound(type + "/" + "(that id) does not exist: ids here are UUIDs");
    }
    return uuid;
  }

  private static long version(String text) {
    try {
      long v = Long.parseLong(text);
      if (v >= 1) {
        return v;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new RecordNotFound("There is no such version: versions are numbers from 1");
  }

  static Long ifMatch(String header) {
    if (header == null || header.isBlank()) {
      return null;
    }
    Matcher m = IF_MATCH.matcher(header.trim());
    if (!m.matches()) {
      throw new Outcomes.Failure(
          400,
          IssueType.INVALID,
          "If-Match must be an ETag as this server gives them: W/\"<version>\".");
    }
    return Long.parseLong(m.group(1));
  }

  private static MethodOutcome outcome(StoredResource stored, boolean created) {
    ResourceIds.set(stored);
    MethodOutcome outcome =
        new MethodOutcome(
            new IdType(
                stored.resourceType(), stored.id().toString(), Long.toString(stored.version())),
            created);
    outcome.setResource(stored.resource());
    return outcome;
  }

  /** 404 with an OperationOutcome of code not-found. */
  private static final class RecordNotFound extends ResourceNotFoundException {
    private static final long serialVersionUID = 1L;

    RecordNotFound(String message) {
      super(message, Outcomes.of(IssueType.NOTFOUND, message));
    }
  }
}
