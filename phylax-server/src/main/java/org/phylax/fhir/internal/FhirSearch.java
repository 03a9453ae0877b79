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
import org.phylax.records.RecordQuery;
import org.phylax.records.RecordStore;
import org.phylax.records.SearchParameter;
import org.phylax.records.StoredResource;
import org.phylax.records.TextMatch;

/**
 * Type-level search over the record store. The request is parsed and validated first (unknown
 * parameters, modifiers and result controls, short prefixes: 400 before anything runs); then the
 * access gate limits it to the patients the caller may see (or, with {@code patient=}, decides
 * about that one patient), so totals and pages count only what the caller may see; each patient on
 * the returned page, and each Patient {@code _include}d, gets a disclosure event. Several
 * parameters are ANDed in one store query ({@link RecordQuery}), comma-separated values ORed;
 * {@code patient} alone lists that patient's resources of the type a page at a time. Paging is by
 * {@code _count} and {@code _offset}, stateless: each page is a search of its own, audited as such.
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
  private final FreeSlotSearch freeSlots;

  FhirSearch(RecordStore store, AccessGate gate, FhirContext fhir) {
    this.store = store;
    this.gate = gate;
    this.fhir = fhir;
    this.freeSlots = new FreeSlotSearch(store, gate);
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
    if ("Slot".equals(type)) {
      out.add(
          new Supported(
              "schedule",
              SearchParamType.REFERENCE,
              "Schedule/<id>, with status=free and start=ge…&start=lt…: the schedule's free"
                  + " slots by start, none overlapping a booked appointment of its actors."));
      out.add(new Supported("status", SearchParamType.TOKEN, "free, with schedule."));
      out.add(new Supported("start", SearchParamType.DATE, "ge/gt and lt/le, with schedule."));
    }
    for (String name : patientParameters(type)) {
      out.add(
          new Supported(
              name,
              SearchParamType.REFERENCE,
              "Patient/<id> or <id>: alone, that patient's whole record of this type (paged);"
                  + " with other parameters, ANDed with them."));
    }
    return out;
  }

  /** The {@code _include} values a type takes: its patient element, naming the Patient. */
  List<String> includes(String type) {
    List<String> out = new ArrayList<>();
    for (String name : patientParameters(type)) {
      out.add(type + ":" + name);
    }
    return out;
  }

  /** The date parameter {@code _sort} takes for a type, or null. */
  private static SearchParameter sortable(String type) {
    if (SearchParameter.BIRTHDATE.appliesTo(type)) {
      return SearchParameter.BIRTHDATE;
    }
    return SearchParameter.DATE.appliesTo(type) ? SearchParameter.DATE : null;
  }

  /** {@code patient} and the element naming the patient ({@code subject} …) of a patient's type. */
  private List<String> patientParameters(String type) {
    List<String> out = new ArrayList<>();
    if (FhirTypes.isPatientOwned(type)) {
      out.add("patient");
      String element = FhirTypes.patientElement(fhir, type);
      if (element != null && !element.equals("patient")) {
        out.add(element);
      }
    }
    return out;
  }

  /** A parsed request: the store query and the result controls. Holds PHI; prints nothing. */
  private static final class Parsed {
    RecordQuery.Builder query;
    boolean anyMatchCriterion;
    boolean matchesNothing;
    UUID patient;
    int count;
    int offset;
    boolean summaryCount;
    RecordQuery.Sort sort;
    boolean includePatients;

    @Override
    public String toString() {
      return "Parsed[***]";
    }
  }

  Bundle search(
      String type, FhirCallers.Caller caller, Map<String, String[]> parameters, String base) {
    if (FreeSlotSearch.applies(type, parameters)) {
      return freeSlots.search(caller, parameters, base);
    }
    // Everything is validated before the gate, so a malformed search is neither run nor audited.
    Parsed parsed = parse(type, parameters);
    AccessRequest.Builder builder =
        AccessRequest.of(caller.subject(), AccessAction.SEARCH, type).client(caller.client());
    if (parsed.patient != null) {
      builder.patient(parsed.patient);
    }
    AccessRequest request = builder.build();
    AccessGate.SearchScope scope = gate.search(request);
    Permit permit = scope.permit();
    // A permit covers every resource of no patient; whether the caller may see those of this
    // type (the Medication catalog, devices in stock) is the role table's to say.
    boolean noPatientRows =
        gate.reach(caller.subject(), type, AccessAction.SEARCH) == AccessGate.Reach.ROLE;

    List<StoredResource> page;
    int total;
    java.util.Optional<RecordStore.SearchPage> paged;
    int offset = parsed.offset;
    int count = parsed.count;
    try {
      if (parsed.matchesNothing) {
        page = List.of();
        total = 0;
      } else if (!parsed.anyMatchCriterion && parsed.sort == null && noPatientRows) {
        // A patient's whole record of this type: counted without decrypting, one page decrypted.
        total =
            (int) Math.min(Integer.MAX_VALUE, store.countOfPatient(permit, type, parsed.patient));
        page =
            count == 0 || offset >= total
                ? List.of()
                : store.listOfPatient(permit, type, parsed.patient, offset, count);
      } else if (parsed.sort == null
          && (paged = store.searchPage(permit, parsed.query.build(), noPatientRows, offset, count))
              .isPresent()) {
        total = (int) Math.min(Integer.MAX_VALUE, paged.get().total());
        page = new ArrayList<>(paged.get().resources());
      } else {
        List<StoredResource> all = store.search(permit, parsed.query.build());
        if (!noPatientRows) {
          all = all.stream().filter(r -> r.patientId() != null).toList();
        }
        total = all.size();
        page =
            new ArrayList<>(
                all.subList(Math.min(offset, total), (int) Math.min((long) offset + count, total)));
      }
    } catch (IllegalArgumentException e) {
      // The store names the parameter, never the value.
      throw bad(e.getMessage() + ".");
    }
    Set<UUID> disclosed = new LinkedHashSet<>();
    for (StoredResource r : page) {
      if (r.patientId() != null) {
        disclosed.add(r.patientId());
      }
    }
    List<StoredResource> included = new ArrayList<>();
    if (parsed.includePatients) {
      for (UUID patient : disclosed) {
        if (!permit.covers(patient)) {
          continue; // cannot happen: the page came from this scope; never widen it
        }
        try {
          included.add(store.read(permit, "Patient", patient));
        } catch (RecordNotFoundException | RecordDeletedException e) {
          // a deleted Patient is not included
        }
      }
    }
    gate.disclosed(request, scope, disclosed);
    return bundle(type, base, parameters, page, included, total, offset, count);
  }

  private Parsed parse(String type, Map<String, String[]> parameters) {
    Parsed parsed = new Parsed();
    parsed.query = RecordQuery.of(type);
    parsed.offset = number(parameters, "_offset", 0, 0, Integer.MAX_VALUE);
    parsed.count = number(parameters, "_count", DEFAULT_COUNT, 0, MAX_COUNT);
    Set<String> names = names(type);
    Map<SearchParameter, LocalDate[]> ranges = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, String[]> e : new TreeMap<>(parameters).entrySet()) {
        String key = e.getKey();
        if (RESULT_PARAMETERS.contains(key)) {
          continue;
        }
        String[] values = e.getValue();
        switch (key) {
          case "_summary" -> parsed.summaryCount = summary(values);
          case "_elements" -> requireValues(key, values);
          case "_sort" -> parsed.sort = sort(type, values);
          case "_include" -> parsed.includePatients = include(type, values);
          default -> criterion(type, names, key, values, parsed, ranges);
        }
      }
      for (Map.Entry<SearchParameter, LocalDate[]> r : ranges.entrySet()) {
        LocalDate[] range = r.getValue();
        if (range[1].isBefore(range[0])) {
          parsed.matchesNothing = true;
        } else {
          parsed.query.dateRange(r.getKey(), range[0], range[1]);
        }
        parsed.anyMatchCriterion = true;
      }
      if (parsed.sort != null) {
        parsed.query.sort(parsed.sort);
      }
      if (!parsed.anyMatchCriterion && parsed.patient == null) {
        throw bad(
            "A search needs a parameter ("
                + String.join(", ", names)
                + "); listing every "
                + type
                + " is not supported.");
      }
      if (parsed.summaryCount) {
        parsed.count = 0;
      }
      parsed.query.build(); // validates what is left
    } catch (IllegalArgumentException e) {
      throw bad(e.getMessage() + ".");
    }
    return parsed;
  }

  private void criterion(
      String type,
      Set<String> names,
      String key,
      String[] values,
      Parsed parsed,
      Map<SearchParameter, LocalDate[]> ranges) {
    int colon = key.indexOf(':');
    String name = colon < 0 ? key : key.substring(0, colon);
    String modifier = colon < 0 ? null : key.substring(colon + 1);
    if (!names.contains(name)) {
      throw bad(
          "Unknown or unsupported search parameter "
              + safeName(key)
              + " for "
              + type
              + "; supported: "
              + String.join(", ", names)
              + ".");
    }
    SearchParameter parameter = parameter(name);
    boolean string = parameter != null && typeOf(parameter) == SearchParamType.STRING;
    if (modifier != null && !(string && modifier.equals("exact"))) {
      throw bad(
          "Search modifier :"
              + safeName(modifier)
              + " is not supported for "
              + name
              + (string ? " (only :exact is)." : "."));
    }
    requireValues(name, values);
    if (name.equals("_id")) {
      for (String value : values) {
        List<UUID> one = new ArrayList<>();
        for (String text : value.split(",")) {
          UUID id = FhirTypes.uuid(text.trim());
          if (id != null) {
            one.add(id); // not an id of ours: no match
          }
        }
        parsed.query.ids(one); // repeated _id: ANDed
      }
      parsed.anyMatchCriterion = true;
      return;
    }
    if (parameter == null || !parameter.appliesTo(type)) {
      // patient, subject, beneficiary …
      if (parsed.patient != null || values.length > 1 || values[0].contains(",")) {
        throw bad("Search by " + name + " takes one patient.");
      }
      String value = values[0].trim();
      String id = value.startsWith("Patient/") ? value.substring("Patient/".length()) : value;
      parsed.patient = FhirTypes.uuid(id);
      if (parsed.patient == null) {
        throw bad("Search parameter " + name + " must be Patient/<id> with a Phylax id.");
      }
      parsed.query.patient(parsed.patient);
      return;
    }
    parsed.anyMatchCriterion = true;
    if (parameter.kind() == SearchParameter.Kind.DATE) {
      LocalDate[] range =
          ranges.computeIfAbsent(parameter, k -> new LocalDate[] {EARLIEST, LATEST});
      for (String value : values) {
        if (value.contains(",")) {
          throw bad("Search parameter " + parameter.code() + " takes no comma-separated dates.");
        }
        narrow(range, parameter, value);
      }
      return;
    }
    for (String value : values) {
      List<String> alternatives = new ArrayList<>();
      for (String one : value.split(",")) {
        if (one.isBlank()) {
          throw bad("Search parameter " + name + " has an empty value.");
        }
        alternatives.add(one.trim());
      }
      if (parameter.isString()) {
        parsed.query.text(
            parameter, alternatives, "exact".equals(modifier) ? TextMatch.EXACT : TextMatch.PREFIX);
      } else {
        parsed.query.equalsAny(parameter, alternatives);
      }
    }
  }

  private static void requireValues(String name, String[] values) {
    for (String value : values) {
      if (value == null || value.isBlank()) {
        throw bad("Search parameter " + safeName(name) + " has no value.");
      }
    }
  }

  /** {@code _summary}: {@code count} gives the total only; the other modes HAPI applies. */
  private static boolean summary(String[] values) {
    boolean count = false;
    for (String value : values) {
      switch (value.trim()) {
        case "count" -> count = true;
        case "true", "false", "text", "data" -> {}
        default -> throw bad("_summary takes count, true, false, text or data.");
      }
    }
    return count;
  }

  private static RecordQuery.Sort sort(String type, String[] values) {
    SearchParameter sortable = sortable(type);
    String expected =
        sortable == null
            ? type + " cannot be sorted."
            : "_sort takes " + sortable.code() + " or -" + sortable.code() + " for " + type + ".";
    if (sortable == null || values.length != 1) {
      throw bad(expected);
    }
    String value = values[0].trim();
    boolean descending = value.startsWith("-");
    if (!(descending ? value.substring(1) : value).equals(sortable.code())) {
      throw bad(expected);
    }
    return new RecordQuery.Sort(sortable, descending);
  }

  /** {@code _include=<Type>:<patient element>[:Patient]}: the Patients of the page's resources. */
  private boolean include(String type, String[] values) {
    List<String> allowed = includes(type);
    for (String value : values) {
      String v = value.trim();
      if (v.endsWith(":Patient")) {
        v = v.substring(0, v.length() - ":Patient".length());
      }
      if (!allowed.contains(v)) {
        throw bad(
            "_include "
                + safeName(value.trim())
                + " is not supported"
                + (allowed.isEmpty()
                    ? " for " + type + "."
                    : "; " + type + " takes " + String.join(", ", allowed) + "."));
      }
    }
    return true;
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

  private Bundle bundle(
      String type,
      String base,
      Map<String, String[]> parameters,
      List<StoredResource> page,
      List<StoredResource> included,
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
    for (StoredResource r : included) {
      ResourceIds.set(r);
      bundle
          .addEntry()
          .setFullUrl(base + "/Patient/" + r.id())
          .setResource(r.resource())
          .getSearch()
          .setMode(Bundle.SearchEntryMode.INCLUDE);
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
      case REFERENCE -> SearchParamType.REFERENCE;
      default ->
          p == SearchParameter.ADDRESS_POSTALCODE ? SearchParamType.STRING : SearchParamType.TOKEN;
    };
  }

  private static String documentation(SearchParameter p) {
    return switch (p.kind()) {
      case NAME ->
          "Prefix of a word of the name (at least "
              + TextMatch.MIN_PREFIX_LENGTH
              + " characters), case and accents ignored; :exact for the whole name as written."
              + " Comma-separated values are alternatives.";
      case DATE ->
          "yyyy, yyyy-MM or yyyy-MM-dd, with eq (default), ge, gt, le or lt; repeated, ANDed."
              + " _sort="
              + p.code()
              + " or -"
              + p.code()
              + ".";
      case CODE -> "system|code, |code (no system) or code (any system).";
      case IDENTIFIER ->
          p == SearchParameter.ADDRESS_POSTALCODE
              ? "The whole postal code, separators and case ignored; a ZIP finds its ZIP+4 (no"
                  + " prefix match)."
              : "system|value, |value (no system) or value (any system); separators and case"
                  + " ignored.";
      case PHONE -> "A phone number, compared in E.164 (US without a country code).";
      case EMAIL -> "An e-mail address, case ignored.";
      case TOKEN -> "The code, e.g. " + (p == SearchParameter.GENDER ? "female." : "final.");
      case REFERENCE ->
          p == SearchParameter.ENCOUNTER
              ? "Encounter/<id> or <id>."
              : p == SearchParameter.ACTOR
                  ? "<Type>/<id> of any participant."
                  : "Practitioner/<id>, PractitionerRole/<id> or Organization/<id>.";
    };
  }

  private static Outcomes.Failure bad(String diagnostics) {
    return new Outcomes.Failure(400, IssueType.INVALID, diagnostics);
  }
}
