package org.phylax.fhir.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.hl7.fhir.r4.model.Resource;
import org.phylax.access.AccessAction;
import org.phylax.access.AccessGate;
import org.phylax.access.Permit;
import org.phylax.records.SearchParameter;
import org.phylax.records.StoredResource;

/**
 * The conditions of conditional create ({@code If-None-Exist}, {@code Bundle.entry.request
 * .ifNoneExist}) and conditional references ({@code Practitioner?identifier=system|value}): one
 * {@code identifier} token, the only criterion that names one resource of a type. Matches are found
 * through the access gate like any search: a directory type by the role table, a Patient only among
 * the patients the caller may see.
 */
final class ConditionalMatches {

  private final RecordAccess access;

  ConditionalMatches(RecordAccess access) {
    this.access = access;
  }

  /** A parsed condition: an identifier as {@code system|value}, {@code |value} or {@code value}. */
  record Condition(String type, String identifier) {

    /** Whether a resource of the bundle carries this identifier. */
    boolean matches(Resource resource) {
      if (!type.equals(resource.fhirType()) || resource.getNamedProperty("identifier") == null) {
        return false;
      }
      int bar = identifier.indexOf('|');
      String system = bar < 0 ? null : identifier.substring(0, bar);
      String value = bar < 0 ? identifier : identifier.substring(bar + 1);
      for (Base b : resource.getNamedProperty("identifier").getValues()) {
        Identifier id = (Identifier) b;
        boolean systemMatches =
            system == null || (system.isEmpty() ? !id.hasSystem() : system.equals(id.getSystem()));
        if (systemMatches && value.equals(id.getValue())) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * Parses {@code identifier=…}, optionally after {@code Type?} or an absolute {@code
   * http(s)://…/Type?} (HAPI's generic client sends {@code If-None-Exist} so), URL-decoded; {@code
   * _format} and {@code _pretty} beside it are ignored.
   *
   * @throws Outcomes.Failure 400 naming what is wrong, never the value
   */
  static Condition parse(String type, String query) {
    String q = query.strip();
    int mark = q.indexOf('?');
    if (mark >= 0) {
      String prefix = q.substring(0, mark);
      boolean absolute =
          (prefix.startsWith("http://") || prefix.startsWith("https://"))
              && prefix.endsWith("/" + type);
      if (!prefix.isEmpty() && !prefix.equals(type) && !absolute) {
        throw bad("A condition for " + type + " names another resource type.");
      }
      q = q.substring(mark + 1);
    }
    // _format and _pretty shape an answer, not a match; HAPI's client adds _format to the header.
    q =
        java.util.Arrays.stream(q.split("&"))
            .filter(p -> !p.startsWith("_format=") && !p.startsWith("_pretty="))
            .collect(Collectors.joining("&"));
    if (!q.startsWith("identifier=") || q.indexOf('&') >= 0) {
      throw bad(
          "A condition (If-None-Exist, ifNoneExist or a conditional reference) must be exactly one"
              + " identifier=[system|]value.");
    }
    String value;
    try {
      value = URLDecoder.decode(q.substring("identifier=".length()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      throw bad("The identifier of a condition is not properly URL-encoded.");
    }
    if (value.isBlank() || value.endsWith("|")) {
      throw bad("The identifier of a condition has no value.");
    }
    if (!SearchParameter.IDENTIFIER.appliesTo(type)) {
      throw bad(
          "Conditions need an identifier search, which "
              + type
              + " does not have here (only "
              + SearchParameter.IDENTIFIER.resourceTypes().stream()
                  .sorted()
                  .collect(Collectors.joining(", "))
              + ").");
    }
    return new Condition(type, value);
  }

  /** The stored, current resources the caller may see that meet the condition. */
  List<StoredResource> find(FhirCallers.Caller caller, Condition condition) {
    String type = condition.type();
    if (FhirTypes.isDirectory(type)) {
      Permit permit = access.enter(caller, AccessAction.SEARCH, type, null, null);
      return access
          .store()
          .search(permit, type, SearchParameter.IDENTIFIER, condition.identifier());
    }
    var request = RecordAccess.request(caller, AccessAction.SEARCH, type, null).build();
    AccessGate.SearchScope scope = access.gate().search(request);
    if (scope.permit().patients().map(Set::isEmpty).orElse(false)) {
      return List.of();
    }
    List<StoredResource> found =
        access
            .store()
            .search(scope.permit(), type, SearchParameter.IDENTIFIER, condition.identifier());
    Set<UUID> patients = found.stream().map(StoredResource::patientId).collect(Collectors.toSet());
    if (!patients.isEmpty()) {
      access.gate().disclosed(request, scope, patients);
    }
    return found;
  }

  private static Outcomes.Failure bad(String diagnostics) {
    return new Outcomes.Failure(400, IssueType.INVALID, diagnostics);
  }
}
