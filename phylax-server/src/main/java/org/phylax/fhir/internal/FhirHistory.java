package org.phylax.fhir.internal;

import ca.uhn.fhir.rest.annotation.History;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.phylax.access.AccessAction;
import org.phylax.access.AccessGate;
import org.phylax.access.AccessRequest;
import org.phylax.records.RecordStore;
import org.phylax.records.StoredResource;

/**
 * FHIR history bundles: of one resource (its versions, once the gate has let the caller in), of a
 * type ({@code GET /Type/_history}) and of the whole system ({@code GET /_history}, the method of
 * this plain provider). Type and system history are searches across patients: each type passes the
 * access gate's search (audited), the store's query keeps only the versions of the patients the
 * scope covers, and each patient on the returned page gets a disclosure event. System history
 * leaves out, without a refusal, the types the caller's roles (a service: its scopes) do not reach.
 *
 * <p>Newest first; {@code _since} (an instant) keeps the versions written at or after it; paged by
 * {@code _count} and {@code _offset}, stateless like search. Each entry's request says how its
 * version was made (POST for the first, PUT, DELETE for the version that deleted it, which carries
 * no resource) and its response the status, ETag and time of that write.
 */
final class FhirHistory {

  /** Parameters that do not change which versions are listed. */
  private static final Set<String> IGNORED = Set.of("_format", "_pretty");

  private final RecordStore store;
  private final AccessGate gate;
  private final FhirCallers callers;

  FhirHistory(RecordStore store, AccessGate gate, FhirCallers callers) {
    this.store = store;
    this.gate = gate;
    this.callers = callers;
  }

  /** {@code GET /fhir/_history}: every type the caller reaches. */
  @History
  public Bundle system(HttpServletRequest request, RequestDetails details) {
    return across(
        FhirTypes.all(),
        true,
        callers.current(request),
        details.getParameters(),
        details.getFhirServerBase(),
        "_history");
  }

  /** {@code GET /fhir/<type>/_history}. */
  Bundle type(String type, FhirCallers.Caller caller, RequestDetails details) {
    return across(
        List.of(type),
        false,
        caller,
        details.getParameters(),
        details.getFhirServerBase(),
        type + "/_history");
  }

  /** {@code GET /fhir/<type>/<id>/_history}, from the versions the gate allowed, newest first. */
  static Bundle instance(List<StoredResource> versions, RequestDetails details) {
    Controls controls = Controls.parse(details.getParameters());
    List<StoredResource> kept = new ArrayList<>();
    for (StoredResource version : versions) {
      if (controls.since == null || !time(version).isBefore(controls.since)) {
        kept.add(version);
      }
    }
    int from = Math.min(controls.offset, kept.size());
    int to = (int) Math.min((long) from + controls.count, kept.size());
    StoredResource any = versions.get(0);
    return bundle(
        details.getFhirServerBase(),
        any.resourceType() + "/" + any.id() + "/_history",
        controls,
        kept.subList(from, to),
        kept.size());
  }

  private Bundle across(
      List<String> types,
      boolean leaveOutUnreached,
      FhirCallers.Caller caller,
      Map<String, String[]> parameters,
      String base,
      String path) {
    // Validated before the gate, so a malformed request is neither run nor audited.
    Controls controls = Controls.parse(parameters);
    List<RecordStore.HistoryScope> scopes = new ArrayList<>();
    Map<String, AccessRequest> requests = new LinkedHashMap<>();
    Map<String, AccessGate.SearchScope> granted = new LinkedHashMap<>();
    for (String type : types) {
      AccessGate.Reach reach = gate.reach(caller.subject(), type, AccessAction.SEARCH);
      if (leaveOutUnreached && reach == AccessGate.Reach.NONE) {
        continue;
      }
      AccessRequest request = RecordAccess.request(caller, AccessAction.SEARCH, type, null).build();
      AccessGate.SearchScope scope = gate.search(request);
      requests.put(type, request);
      granted.put(type, scope);
      scopes.add(
          new RecordStore.HistoryScope(type, scope.permit(), reach == AccessGate.Reach.ROLE));
    }
    long total = store.historyCount(scopes, controls.since);
    List<StoredResource> page =
        controls.count == 0 || controls.offset >= total
            ? List.of()
            : store.history(scopes, controls.since, controls.offset, controls.count);
    Map<String, Set<UUID>> disclosed = new LinkedHashMap<>();
    for (StoredResource version : page) {
      if (version.patientId() != null) {
        disclosed
            .computeIfAbsent(version.resourceType(), t -> new LinkedHashSet<>())
            .add(version.patientId());
      }
    }
    disclosed.forEach(
        (type, patients) -> gate.disclosed(requests.get(type), granted.get(type), patients));
    return bundle(base, path, controls, page, (int) Math.min(Integer.MAX_VALUE, total));
  }

  private static Bundle bundle(
      String base, String path, Controls controls, List<StoredResource> page, int total) {
    Bundle bundle = new Bundle();
    // HAPI wants an id on what a history method returns; a history bundle has no other.
    bundle.setId(UUID.randomUUID().toString());
    bundle.setType(Bundle.BundleType.HISTORY);
    bundle.setTotal(total);
    String query =
        controls.since == null ? "" : "_since=" + encode(controls.since.toString()) + "&";
    String self = base + "/" + path + "?" + query + "_count=" + controls.count + "&_offset=";
    bundle.addLink().setRelation("self").setUrl(self + controls.offset);
    if (controls.count > 0 && controls.offset + (long) controls.count < total) {
      bundle.addLink().setRelation("next").setUrl(self + (controls.offset + controls.count));
    }
    if (controls.offset > 0 && controls.count > 0) {
      bundle
          .addLink()
          .setRelation("previous")
          .setUrl(self + Math.max(0, controls.offset - controls.count));
    }
    for (StoredResource version : page) {
      ResourceIds.set(version);
      Date written = Date.from(time(version));
      String url = version.resourceType() + "/" + version.id();
      Bundle.BundleEntryComponent entry = bundle.addEntry().setFullUrl(base + "/" + url);
      Bundle.HTTPVerb method;
      String status;
      if (version.deleted()) {
        method = Bundle.HTTPVerb.DELETE;
        status = "200 OK";
      } else {
        entry.setResource(version.resource());
        method = version.version() == 1 ? Bundle.HTTPVerb.POST : Bundle.HTTPVerb.PUT;
        status = version.version() == 1 ? "201 Created" : "200 OK";
      }
      entry
          .getRequest()
          .setMethod(method)
          .setUrl(method == Bundle.HTTPVerb.POST ? version.resourceType() : url);
      entry
          .getResponse()
          .setStatus(status)
          .setEtag("W/\"" + version.version() + "\"")
          .setLastModified(written);
    }
    return bundle;
  }

  /** When a version was written; a delete's version, when it was deleted. */
  private static Instant time(StoredResource version) {
    return version.deletedAt().orElse(version.updatedAt());
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** The paging and {@code _since} of a history request. */
  private static final class Controls {
    int count = FhirSearch.DEFAULT_COUNT;
    int offset;
    Instant since;

    static Controls parse(Map<String, String[]> parameters) {
      Controls controls = new Controls();
      for (Map.Entry<String, String[]> e : parameters.entrySet()) {
        String name = e.getKey();
        String[] values = e.getValue();
        if (IGNORED.contains(name)) {
          continue;
        }
        if (values.length != 1 || values[0] == null || values[0].isBlank()) {
          throw bad(safeName(name) + " takes one value.");
        }
        String value = values[0].trim();
        switch (name) {
          case "_count" -> controls.count = number(name, value, FhirSearch.MAX_COUNT);
          case "_offset" -> controls.offset = number(name, value, Integer.MAX_VALUE);
          case "_since" -> controls.since = instant(value);
          default ->
              throw bad(
                  "History takes _count, _offset and _since; "
                      + safeName(name)
                      + " is not supported.");
        }
      }
      return controls;
    }

    private static int number(String name, String value, int max) {
      try {
        int n = Integer.parseInt(value);
        if (n >= 0) {
          return Math.min(n, max);
        }
      } catch (NumberFormatException e) {
        // below
      }
      throw bad(name + " must be a whole number from 0.");
    }

    private static Instant instant(String value) {
      try {
        // A '+' of the offset arrives as a space when the client did not encode it.
        return OffsetDateTime.parse(value.replace(' ', '+')).toInstant();
      } catch (DateTimeParseException e) {
        throw bad("_since must be an instant with a time zone, e.g. 2024-03-05T10:00:00Z.");
      }
    }

    private static String safeName(String name) {
      return name.matches("[A-Za-z0-9_:\\-.]{1,64}") ? name : "(unreadable name)";
    }
  }

  private static Outcomes.Failure bad(String diagnostics) {
    return new Outcomes.Failure(400, IssueType.INVALID, diagnostics);
  }
}
