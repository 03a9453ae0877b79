package org.phylax.fhir.internal;

import ca.uhn.fhir.context.FhirContext;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.Enumerations.SearchParamType;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.phylax.access.AccessAction;
import org.phylax.access.AccessGate;
import org.phylax.access.AccessRequest;
import org.phylax.access.Permit;
import org.phylax.records.RecordDeletedException;
import org.phylax.records.RecordNotFoundException;
import org.phylax.records.RecordStore;
import org.phylax.records.SearchParameter;
import org.phylax.records.StoredResource;

/**
 * Type-level search over the record store. The access gate limits it before it runs to the patients
 * the caller may see (or, with {@code patient=}, decides about that one patient), so totals and
 * pages count only what the caller may see; each patient on the returned page gets a disclosure
 * event. Several parameters are ANDed, comma-separated values ORed. Paging is by {@code _count} and
 * {@code _offset}, stateless: each page is a search of its own, audited as such.
 */
final class FhirSearch {

  static final int DEFAULT_COUNT = 50;
  static final int MAX_COUNT = 500;

  /** Parameters that shape the answer, not the match; HAPI handles the formatting ones. */
  private static final Set<String> RESULT_PARAMETERS =
      Set.of("_count", "_offset", "_format", "_pretty");

  private static final Pattern DATE =
      Pattern.compile("(eq|ge|gt|le|lt)?(\\d{4})(?:-(\\d{2})(?:-(\\d{2}))?)?");
  private static final LocalDate EARLIEST = LocalDate.of(1, 1, 1);
  private static final LocalDate LATEST = LocalDate.of(9999, 12, 31);

  private final RecordStore store;
  private final AccessGate gate;
  private final FhirContext fhir;

  FhirSearch(RecordStore store, AccessGate gate, FhirContext fhir) {
    this.store = store;
    this.gate = gate;
    this.fhir = fhir;
  }

  /** A search parameter this API understands for a type, for the CapabilityStatement. */
  record Supported(String name, SearchParamType type, String documentation) {}

  /** What a type can be searched by. */
  List<Supported> supported(String type) {
    List<Supported> out = new ArrayList<>();
    out.add(new Supported("_id", SearchParamType.TOKEN, "The logical id, exact."));
    for (SearchParameter p : FhirTypes.storeParameters(type)) {
      out.add(new Supported(p.code(), typeOf(p), documentation(p)));
    }
    if (FhirTypes.isPatientOwned(type)) {
      String doc =
          "Patient/<id> or <id>; together with another parameter (a patient's whole record is not"
              + " listed yet).";
      out.add(new Supported("patient", SearchParamType.REFERENCE, doc));
      String element = FhirTypes.patientElement(fhir, type);
      if (element != null && !element.equals("patient")) {
        out.add(new Supported(element, SearchParamType.REFERENCE, doc));
      }
    }
    return out;
  }

  Bundle search(
      String type, FhirCallers.Caller caller, Map<String, String[]> parameters, String base) {
    int count = number(parameters, "_count", DEFAULT_COUNT, 0, MAX_COUNT);
    int offset = number(parameters, "_offset", 0, 0, Integer.MAX_VALUE);
    List<String> ids = new ArrayList<>();
    UUID patient = null;
    Map<SearchParameter, List<String>> criteria = new LinkedHashMap<>();
    Set<String> names = names(type);
    for (Map.Entry<String, String[]> e : new TreeMap<>(parameters).entrySet()) {
      String name = e.getKey();
      if (RESULT_PARAMETERS.contains(name)) {
        continue;
      }
      if (name.contains(":")) {
        throw bad("Search modifiers are not supported (" + safeName(name) + ").");
      }
      if (!names.contains(name)) {
        throw bad(
            "Unknown or unsupported search parameter "
                + safeName(name)
                + " for "
                + type
                + "; supported: "
                + String.join(", ", names)
                + ".");
      }
      for (String value : e.getValue()) {
        if (value == null || value.isBlank()) {
          throw bad("Search parameter " + name + " has no value.");
        }
        if (name.equals("_id")) {
          if (!ids.isEmpty()) {
            throw bad("_id may be given once (with comma-separated ids).");
          }
          ids.addAll(List.of(value.split(",")));
        } else if (!FhirTypes.storeParameters(type).contains(parameter(name))) {
          if (patient != null || e.getValue().length > 1 || value.contains(",")) {
            throw bad("Search by " + name + " takes one patient.");
          }
          String id = value.startsWith("Patient/") ? value.substring("Patient/".length()) : value;
          patient = FhirTypes.uuid(id);
          if (patient == null) {
            throw bad("Search parameter " + name + " must be Patient/<id> with a Phylax id.");
          }
        } else {
          criteria.computeIfAbsent(parameter(name), k -> new ArrayList<>()).add(value);
        }
      }
    }
    if (ids.isEmpty() && criteria.isEmpty()) {
      throw bad(
          (patient == null
                  ? "A search needs a parameter"
                  : "A search by patient needs another parameter")
              + " ("
              + String.join(", ", names)
              + "); listing every "
              + type
              + (patient == null ? "" : " of a patient")
              + " is not supported.");
    }

    AccessRequest.Builder builder =
        AccessRequest.of(caller.subject(), AccessAction.SEARCH, type).client(caller.client());
    if (patient != null) {
      builder.patient(patient);
    }
    AccessRequest request = builder.build();
    AccessGate.SearchScope scope = gate.search(request);
    Permit permit = scope.permit();

    Map<UUID, StoredResource> found = null;
    if (!ids.isEmpty()) {
      found = byIds(type, ids, permit);
    }
    for (Map.Entry<SearchParameter, List<String>> c : criteria.entrySet()) {
      Map<UUID, StoredResource> matches = run(type, c.getKey(), c.getValue(), permit);
      if (found == null) {
        found = matches;
      } else {
        found.keySet().retainAll(matches.keySet());
      }
    }
    List<StoredResource> all = new ArrayList<>(found.values());
    int total = all.size();
    List<StoredResource> page =
        all.subList(Math.min(offset, total), (int) Math.min((long) offset + count, total));
    Set<UUID> disclosed = new LinkedHashSet<>();
    for (StoredResource r : page) {
      if (r.patientId() != null) {
        disclosed.add(r.patientId());
      }
    }
    gate.disclosed(request, scope, disclosed);
    return bundle(type, base, parameters, page, total, offset, count);
  }

  private Map<UUID, StoredResource> byIds(String type, List<String> ids, Permit permit) {
    Map<UUID, StoredResource> out = new LinkedHashMap<>();
    for (String text : ids) {
      UUID id = FhirTypes.uuid(text.trim());
      if (id == null) {
        continue; // not an id of ours: no match
      }
      UUID patient;
      if ("Patient".equals(type)) {
        patient = id;
      } else if (FhirTypes.isDirectory(type)) {
        patient = null;
      } else {
        var owner = store.patientOf(type, id);
        if (owner.isEmpty()) {
          continue;
        }
        patient = owner.get();
      }
      if (!permit.covers(patient)) {
        continue; // as if it did not exist
      }
      try {
        StoredResource r = store.read(permit, type, id);
        out.put(r.id(), r);
      } catch (RecordNotFoundException | RecordDeletedException e) {
        // no match
      }
    }
    return out;
  }

  private Map<UUID, StoredResource> run(
      String type, SearchParameter parameter, List<String> values, Permit permit) {
    Map<UUID, StoredResource> out = new LinkedHashMap<>();
    try {
      if (parameter.kind() == SearchParameter.Kind.DATE) {
        LocalDate[] range = {EARLIEST, LATEST};
        for (String value : values) {
          if (value.contains(",")) {
            throw bad("Search parameter " + parameter.code() + " takes no comma-separated dates.");
          }
          narrow(range, parameter, value);
        }
        if (!range[1].isBefore(range[0])) {
          for (StoredResource r :
              store.searchDateRange(permit, type, parameter, range[0], range[1])) {
            out.put(r.id(), r);
          }
        }
        return out;
      }
      Map<UUID, StoredResource> and = null;
      for (String value : values) {
        Map<UUID, StoredResource> or = new LinkedHashMap<>();
        for (String one : value.split(",")) {
          for (StoredResource r :
              store.search(permit, type, parameter, queryValue(parameter, one))) {
            or.put(r.id(), r);
          }
        }
        if (and == null) {
          and = or;
        } else {
          and.keySet().retainAll(or.keySet());
        }
      }
      return and;
    } catch (IllegalArgumentException e) {
      // The store names the parameter, never the value.
      throw bad(e.getMessage() + ".");
    }
  }

  /** Narrows {@code range} by one date value with an optional eq/ge/gt/le/lt prefix. */
  private static void narrow(LocalDate[] range, SearchParameter parameter, String value) {
    Matcher m = DATE.matcher(value.trim());
    if (!m.matches()) {
      throw bad(
          "Search parameter "
              + parameter.code()
              + " takes a date yyyy, yyyy-MM or yyyy-MM-dd with an optional prefix eq, ge, gt, le"
              + " or lt.");
    }
    LocalDate start;
    LocalDate end;
    try {
      int year = Integer.parseInt(m.group(2));
      if (m.group(3) == null) {
        start = LocalDate.of(year, 1, 1);
        end = LocalDate.of(year, 12, 31);
      } else if (m.group(4) == null) {
        YearMonth month = YearMonth.of(year, Integer.parseInt(m.group(3)));
        start = month.atDay(1);
        end = month.atEndOfMonth();
      } else {
        start = LocalDate.of(year, Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)));
        end = start;
      }
    } catch (java.time.DateTimeException | NumberFormatException e) {
      throw bad("Search parameter " + parameter.code() + " has a date that does not exist.");
    }
    String prefix = m.group(1) == null ? "eq" : m.group(1);
    LocalDate from = EARLIEST;
    LocalDate to = LATEST;
    switch (prefix) {
      case "ge" -> from = start;
      case "gt" -> from = end.plusDays(1);
      case "le" -> to = end;
      case "lt" -> to = start.minusDays(1);
      default -> {
        from = start;
        to = end;
      }
    }
    if (from.isAfter(range[0])) {
      range[0] = from;
    }
    if (to.isBefore(range[1])) {
      range[1] = to;
    }
  }

  /** FHIR token syntax to the store's: an identifier's system is not searched. */
  private static String queryValue(SearchParameter parameter, String value) {
    String v = value.trim();
    if (parameter.kind() == SearchParameter.Kind.IDENTIFIER && v.contains("|")) {
      return v.substring(v.lastIndexOf('|') + 1);
    }
    if (parameter.kind() == SearchParameter.Kind.CODE && v.startsWith("|")) {
      return v.substring(1);
    }
    return v;
  }

  private Bundle bundle(
      String type,
      String base,
      Map<String, String[]> parameters,
      List<StoredResource> page,
      int total,
      int offset,
      int count) {
    Bundle bundle = new Bundle();
    bundle.setType(Bundle.BundleType.SEARCHSET);
    bundle.setTotal(total);
    String query = query(parameters);
    bundle.addLink().setRelation("self").setUrl(link(base, type, query, count, offset));
    if (count > 0 && offset + (long) count < total) {
      bundle.addLink().setRelation("next").setUrl(link(base, type, query, count, offset + count));
    }
    if (offset > 0 && count > 0) {
      bundle
          .addLink()
          .setRelation("previous")
          .setUrl(link(base, type, query, count, Math.max(0, offset - count)));
    }
    for (StoredResource r : page) {
      ResourceIds.set(r);
      bundle
          .addEntry()
          .setFullUrl(base + "/" + type + "/" + r.id())
          .setResource(r.resource())
          .getSearch()
          .setMode(Bundle.SearchEntryMode.MATCH);
    }
    return bundle;
  }

  private static String link(String base, String type, String query, int count, int offset) {
    return base
        + "/"
        + type
        + "?"
        + (query.isEmpty() ? "" : query + "&")
        + "_count="
        + count
        + "&_offset="
        + offset;
  }

  private static String query(Map<String, String[]> parameters) {
    StringBuilder out = new StringBuilder();
    for (Map.Entry<String, String[]> e : new TreeMap<>(parameters).entrySet()) {
      if (e.getKey().equals("_count") || e.getKey().equals("_offset")) {
        continue;
      }
      for (String value : e.getValue()) {
        if (out.length() > 0) {
          out.append('&');
        }
        out.append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8))
            .append('=')
            .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
      }
    }
    return out.toString();
  }

  private Set<String> names(String type) {
    Set<String> out = new LinkedHashSet<>();
    for (Supported s : supported(type)) {
      out.add(s.name());
    }
    return out;
  }

  private static SearchParameter parameter(String name) {
    for (SearchParameter p : SearchParameter.values()) {
      if (p.code().equals(name)) {
        return p;
      }
    }
    return null;
  }

  private static int number(
      Map<String, String[]> parameters, String name, int absent, int min, int max) {
    String[] values = parameters.get(name);
    if (values == null || values.length == 0) {
      return absent;
    }
    try {
      int n = Integer.parseInt(values[0].trim());
      if (n < min) {
        throw bad(name + " must be at least " + min + ".");
      }
      return Math.min(n, max);
    } catch (NumberFormatException e) {
      throw bad(name + " must be a whole number.");
    }
  }

  /**
   * A parameter name as the client wrote it, if it looks like one; it is not PHI, but keep it
   * short.
   */
  private static String safeName(String name) {
    return name.matches("[A-Za-z0-9_:\\-.]{1,64}") ? name : "(unreadable name)";
  }

  private static SearchParamType typeOf(SearchParameter p) {
    return switch (p.kind()) {
      case NAME -> SearchParamType.STRING;
      case DATE -> SearchParamType.DATE;
      default ->
          p.code().equals("address-postalcode") ? SearchParamType.STRING : SearchParamType.TOKEN;
    };
  }

  private static String documentation(SearchParameter p) {
    return switch (p.kind()) {
      case NAME -> "Whole name or one word of it, case and accents ignored (no prefix match).";
      case DATE -> "yyyy, yyyy-MM or yyyy-MM-dd, with eq (default), ge, gt, le or lt.";
      case CODE -> "system|code or code.";
      case IDENTIFIER -> "The value; separators and case ignored; a system before | is ignored.";
      case PHONE -> "A phone number, compared in E.164 (US without a country code).";
      case EMAIL -> "An e-mail address, case ignored.";
    };
  }

  private static Outcomes.Failure bad(String diagnostics) {
    return new Outcomes.Failure(400, IssueType.INVALID, diagnostics);
  }
}
