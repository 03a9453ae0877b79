package org.phylax.records.internal;

import java.time.LocalDate;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.Appointment;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.BaseDateTimeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.Enumerations;
import org.hl7.fhir.r4.model.HumanName;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Property;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.phylax.crypto.Normalizers;
import org.phylax.records.SearchParameter;
import org.phylax.records.TextMatch;

/**
 * What the store needs to know about a resource besides its body: which patient it belongs to and
 * its searchable values, normalized. One place per resource type says which element is its patient
 * reference, its main code and its main date.
 */
final class ResourceIndexer {

  /** Phone numbers written without a country code are read as US numbers. */
  static final String PHONE_REGION = "US";

  /**
   * The version of the indexing rules (which tokens and relationship rows a resource gets). Raise
   * it with every change to them: at the next start {@link SearchReindex} rewrites the index of
   * every stored resource, so that older resources are found by the new rules too.
   */
  static final int INDEX_VERSION = 4; // 3: appointment bookings (V16); 4: prefixes up to 16

  /**
   * Prefix tokens stop at this many characters: a longer query is narrowed by its first 16
   * characters and decided after decryption, and a longer name gets no more tokens than a 16-letter
   * one (the token count tells no length beyond 16). Up to this length the tokens decide a prefix
   * search exactly, so the database can count and page it without decrypting every candidate; 8
   * left names of 9 letters and more (common among surnames) to decryption, which made a family
   * search over 100,000 patients decrypt about four times the rows it returned.
   */
  static final int MAX_PREFIX = 16;

  private static final Pattern WORDS = Pattern.compile(" ");
  private static final Pattern ZIP_PLUS_4 = Pattern.compile("\\d{9}");
  private static final String UUID_TEXT =
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
  private static final Pattern BARE_ID = Pattern.compile(UUID_TEXT);
  private static final Pattern REFERENCE = Pattern.compile("([A-Z][A-Za-z]+)/(" + UUID_TEXT + ")");

  /** The types a reference parameter may name; {@code *} any. */
  private static final java.util.Map<SearchParameter, Set<String>> REFERENCE_TARGETS =
      java.util.Map.of(
          SearchParameter.GENERAL_PRACTITIONER,
          new java.util.LinkedHashSet<>(
              List.of("Practitioner", "PractitionerRole", "Organization")),
          SearchParameter.ENCOUNTER,
          Set.of("Encounter"),
          SearchParameter.ACTOR,
          Set.of("*"));

  private ResourceIndexer() {}

  /** Throws when the store does not keep resources of this type (see {@link Compartments}). */
  static String supportedType(Resource resource) {
    return Compartments.of(resource).type;
  }

  /** Every searchable value of the resource, normalized; values without a normal form skipped. */
  static List<IndexEntry> entries(Resource resource) {
    List<IndexEntry> out = new ArrayList<>();
    if (resource instanceof Patient patient) {
      patientEntries(patient, out);
    } else {
      Compartments.Row row = Compartments.of(resource);
      for (CodeableConcept concept : row.codes(resource)) {
        for (Coding coding : concept.getCoding()) {
          if (coding.hasCode()) {
            String code = coding.getCode().strip();
            out.add(new IndexEntry(SearchParameter.CODE, code, null));
            String system = coding.hasSystem() ? coding.getSystem().strip() : "";
            out.add(new IndexEntry(SearchParameter.CODE, system + "|" + code, null));
          }
        }
      }
      addDate(SearchParameter.DATE, row.date(resource), out);
      String type = resource.fhirType();
      if (SearchParameter.STATUS.appliesTo(type)) {
        for (Base status : valuesOf(resource, "status")) {
          add(SearchParameter.STATUS, status.primitiveValue(), ResourceIndexer::token, out);
        }
      }
      if (SearchParameter.ENCOUNTER.appliesTo(type)) {
        for (Base ref : valuesOf(resource, "encounter")) {
          addReference(SearchParameter.ENCOUNTER, ref, out);
        }
      }
      if (resource instanceof Appointment appointment) {
        for (Appointment.AppointmentParticipantComponent p : appointment.getParticipant()) {
          addReference(SearchParameter.ACTOR, p.getActor(), out);
        }
      }
      if (SearchParameter.IDENTIFIER.appliesTo(type)) {
        for (var value : resource.getNamedProperty("identifier").getValues()) {
          identifierEntries((Identifier) value, out);
        }
      }
    }
    return dedupe(out);
  }

  /** The normalized values of one parameter, for confirming a token hit after decryption. */
  static Set<String> values(Resource resource, SearchParameter parameter) {
    Set<String> values = new LinkedHashSet<>();
    for (IndexEntry entry : entries(resource)) {
      if (entry.parameter() == parameter && !entry.prefix()) {
        values.add(entry.normalized());
      }
    }
    return values;
  }

  /**
   * The normal form of a search value.
   *
   * @throws IllegalArgumentException naming the parameter (never the value) when it has none
   */
  static String normalizeQuery(SearchParameter parameter, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("search parameter " + parameter.code() + " needs a value");
    }
    try {
      if (parameter == SearchParameter.IDENTIFIER || parameter == SearchParameter.CODE) {
        return token(parameter, value);
      }
      return switch (parameter.kind()) {
        case IDENTIFIER -> Normalizers.identifier(value);
        case NAME -> Normalizers.name(value);
        case DATE -> Normalizers.date(value);
        case PHONE -> Normalizers.phone(value, PHONE_REGION);
        case EMAIL -> Normalizers.email(value);
        case CODE -> value.strip();
        case TOKEN -> token(value);
        case REFERENCE -> reference(parameter, value, true);
      };
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "search parameter " + parameter.code() + ": " + e.getMessage());
    }
  }

  /** A plain code ({@code status}, {@code gender}): stripped, lower case. */
  private static String token(String value) {
    String v = value.strip().toLowerCase(java.util.Locale.ROOT);
    if (v.isEmpty() || v.contains("|")) {
      throw new IllegalArgumentException("a code is needed (no system)");
    }
    return v;
  }

  /**
   * A reference in its one searchable form, {@code <Type>/<lower-case Phylax id>}. A query may
   * leave out the type where the parameter has one target type ({@code encounter}).
   *
   * @throws IllegalArgumentException when it is not such a reference (never repeating it)
   */
  static String reference(SearchParameter parameter, String value, boolean query) {
    String v = value.strip();
    if (query && parameter == SearchParameter.ENCOUNTER && BARE_ID.matcher(v).matches()) {
      v = "Encounter/" + v;
    }
    java.util.regex.Matcher m = REFERENCE.matcher(v);
    if (!m.matches()
        || !REFERENCE_TARGETS.getOrDefault(parameter, Set.of()).stream()
            .anyMatch(t -> t.equals("*") || t.equals(m.group(1)))) {
      throw new IllegalArgumentException(
          "must be a reference "
              + (parameter == SearchParameter.ACTOR
                  ? "<Type>/<id>"
                  : String.join(" or ", REFERENCE_TARGETS.get(parameter)) + "/<id>")
              + " with a Phylax id");
    }
    return m.group(1) + "/" + m.group(2).toLowerCase(java.util.Locale.ROOT);
  }

  /**
   * A token query as FHIR writes it: {@code system|value}, {@code |value} (no system) or {@code
   * value} (any system). The value is normalized for its parameter; the system only stripped.
   */
  private static String token(SearchParameter parameter, String value) {
    int bar = value.indexOf('|');
    String system = bar < 0 ? null : value.substring(0, bar).strip();
    String rest = bar < 0 ? value : value.substring(bar + 1);
    if (rest.isBlank()) {
      throw new IllegalArgumentException("a value is needed after the system");
    }
    String normalized =
        parameter == SearchParameter.IDENTIFIER ? Normalizers.identifier(rest) : rest.strip();
    return system == null ? normalized : system + "|" + normalized;
  }

  /**
   * The normal form of a string query.
   *
   * @throws IllegalArgumentException naming the parameter and the minimum (never the value) when a
   *     prefix is shorter than {@link TextMatch#MIN_PREFIX_LENGTH} characters
   */
  static String normalizeText(SearchParameter parameter, String value, TextMatch match) {
    if (!parameter.isString()) {
      throw new IllegalArgumentException(
          "search parameter " + parameter.code() + " is not a string parameter");
    }
    String normalized = normalizeQuery(parameter, value);
    if (match == TextMatch.PREFIX
        && normalized.codePointCount(0, normalized.length()) < TextMatch.MIN_PREFIX_LENGTH) {
      throw new IllegalArgumentException(
          "search parameter "
              + parameter.code()
              + " needs at least "
              + TextMatch.MIN_PREFIX_LENGTH
              + " characters for a prefix search");
    }
    return normalized;
  }

  /** The prefix token value of a normalized query: its first {@link #MAX_PREFIX} characters. */
  static String prefixKey(String normalized) {
    // A key ending in a space is not indexed (see nameEntries); the shorter key before it is.
    return firstCodePoints(normalized, MAX_PREFIX).stripTrailing();
  }

  /**
   * Whether a decrypted resource matches a string query: for a prefix, some normalized name of the
   * parameter has the query at the start of one of its words (words start at the beginning, after a
   * space or after a hyphen); for exact, some name equals the query as written (both in Unicode
   * NFC, so that only the way a character was encoded does not count).
   */
  static boolean matchesText(
      Resource resource,
      SearchParameter parameter,
      String query,
      String normalized,
      TextMatch match) {
    for (String raw : names(resource, parameter)) {
      if (match == TextMatch.EXACT) {
        if (nfc(raw).equals(nfc(query))) {
          return true;
        }
        continue;
      }
      String name;
      try {
        name = Normalizers.name(raw);
      } catch (IllegalArgumentException e) {
        continue;
      }
      for (int start : wordStarts(name)) {
        if (name.startsWith(normalized, start)) {
          return true;
        }
      }
    }
    return false;
  }

  /** The raw family and/or given names a string parameter searches. */
  private static List<String> names(Resource resource, SearchParameter parameter) {
    List<String> out = new ArrayList<>();
    if (!(resource instanceof Patient patient)) {
      return out;
    }
    for (HumanName name : patient.getName()) {
      if (parameter != SearchParameter.GIVEN && name.hasFamily()) {
        out.add(name.getFamily());
      }
      if (parameter != SearchParameter.FAMILY) {
        for (StringType given : name.getGiven()) {
          if (given.hasValue()) {
            out.add(given.getValue());
          }
        }
      }
    }
    return out;
  }

  private static String nfc(String value) {
    return java.text.Normalizer.normalize(value, java.text.Normalizer.Form.NFC);
  }

  /** Where words start in a normalized name: 0, and after each space or hyphen. */
  private static List<Integer> wordStarts(String name) {
    List<Integer> starts = new ArrayList<>();
    starts.add(0);
    for (int i = 0; i < name.length() - 1; i++) {
      char c = name.charAt(i);
      if (c == ' ' || c == '-') {
        starts.add(i + 1);
      }
    }
    return starts;
  }

  private static String firstCodePoints(String value, int n) {
    int count = value.codePointCount(0, value.length());
    return count <= n ? value : value.substring(0, value.offsetByCodePoints(0, n));
  }

  /** The first day of a date value ({@code yyyy}, {@code yyyy-MM} or {@code yyyy-MM-dd}). */
  static LocalDate start(String date) {
    if (date.length() == 4) {
      return LocalDate.of(Integer.parseInt(date), 1, 1);
    }
    if (date.length() == 7) {
      return YearMonth.parse(date).atDay(1);
    }
    return LocalDate.parse(date);
  }

  /** Whether a date value ({@code yyyy}, {@code yyyy-MM} or {@code yyyy-MM-dd}) meets a range. */
  static boolean overlaps(String date, LocalDate from, LocalDate to) {
    LocalDate start;
    LocalDate end;
    if (date.length() == 4) {
      int year = Integer.parseInt(date);
      start = LocalDate.of(year, 1, 1);
      end = LocalDate.of(year, 12, 31);
    } else if (date.length() == 7) {
      YearMonth month = YearMonth.parse(date);
      start = month.atDay(1);
      end = month.atEndOfMonth();
    } else {
      start = LocalDate.parse(date);
      end = start;
    }
    return !end.isBefore(from) && !start.isAfter(to);
  }

  private static void identifierEntries(Identifier identifier, List<IndexEntry> out) {
    add(SearchParameter.IDENTIFIER, identifier.getValue(), Normalizers::identifier, out);
    String system = identifier.hasSystem() ? identifier.getSystem().strip() : "";
    add(
        SearchParameter.IDENTIFIER,
        identifier.getValue(),
        v -> system + "|" + Normalizers.identifier(v),
        out);
  }

  private static void patientEntries(Patient patient, List<IndexEntry> out) {
    for (Identifier identifier : patient.getIdentifier()) {
      identifierEntries(identifier, out);
    }
    for (HumanName name : patient.getName()) {
      if (name.hasFamily()) {
        nameEntries(SearchParameter.FAMILY, name.getFamily(), out);
      }
      for (StringType given : name.getGiven()) {
        nameEntries(SearchParameter.GIVEN, given.getValue(), out);
      }
    }
    if (patient.hasGender() && patient.getGender() != Enumerations.AdministrativeGender.NULL) {
      out.add(new IndexEntry(SearchParameter.GENDER, patient.getGender().toCode(), null));
    }
    for (Reference gp : patient.getGeneralPractitioner()) {
      addReference(SearchParameter.GENERAL_PRACTITIONER, gp, out);
    }
    if (patient.hasBirthDateElement()) {
      addDate(SearchParameter.BIRTHDATE, patient.getBirthDateElement(), out);
    }
    for (ContactPoint telecom : patient.getTelecom()) {
      if (telecom.getSystem() == ContactPoint.ContactPointSystem.PHONE) {
        add(
            SearchParameter.PHONE,
            telecom.getValue(),
            v -> Normalizers.phone(v, PHONE_REGION),
            out);
      } else if (telecom.getSystem() == ContactPoint.ContactPointSystem.EMAIL) {
        add(SearchParameter.EMAIL, telecom.getValue(), Normalizers::email, out);
      }
    }
    for (var address : patient.getAddress()) {
      String postal = address.getPostalCode();
      add(SearchParameter.ADDRESS_POSTALCODE, postal, Normalizers::identifier, out);
      if (postal != null) {
        try {
          String normalized = Normalizers.identifier(postal);
          if (ZIP_PLUS_4.matcher(normalized).matches()) {
            // Someone searching for the five-digit ZIP expects the ZIP+4 addresses in it.
            out.add(
                new IndexEntry(
                    SearchParameter.ADDRESS_POSTALCODE, normalized.substring(0, 5), null));
          }
        } catch (IllegalArgumentException e) {
          // not searchable; already skipped above
        }
      }
    }
  }

  private static List<Base> valuesOf(Resource resource, String element) {
    Property property = resource.getNamedProperty(element);
    return property == null ? List.of() : property.getValues();
  }

  private static void addReference(SearchParameter parameter, Base value, List<IndexEntry> out) {
    if (value instanceof Reference ref && ref.hasReference()) {
      add(parameter, ref.getReference(), v -> reference(parameter, v, false), out);
    }
  }

  /** A name is found whole and by each of its words (a double family name by either part). */
  private static void nameEntries(SearchParameter parameter, String value, List<IndexEntry> out) {
    String whole;
    try {
      whole = Normalizers.name(value == null ? "" : value);
    } catch (IllegalArgumentException e) {
      return;
    }
    List<String> forms = new ArrayList<>();
    forms.add(whole);
    for (String word : WORDS.split(whole)) {
      forms.add(word);
    }
    for (String form : forms) {
      out.add(new IndexEntry(parameter, form, null));
      out.add(new IndexEntry(SearchParameter.NAME, form, null));
    }
    // Prefix tokens: from each word start, every prefix of MIN_PREFIX_LENGTH to MAX_PREFIX
    // characters (a prefix may run on into the next word: "de la f" is one).
    for (int start : wordStarts(whole)) {
      String rest = whole.substring(start);
      int length = rest.codePointCount(0, rest.length());
      for (int n = TextMatch.MIN_PREFIX_LENGTH; n <= Math.min(length, MAX_PREFIX); n++) {
        String prefix = rest.substring(0, rest.offsetByCodePoints(0, n));
        if (prefix.endsWith(" ")) {
          continue; // a normalized query never ends in a space
        }
        out.add(new IndexEntry(parameter, prefix, null, true));
        out.add(new IndexEntry(SearchParameter.NAME, prefix, null, true));
      }
    }
  }

  private interface Normalizer {
    String apply(String value);
  }

  private static void add(
      SearchParameter parameter, String value, Normalizer normalizer, List<IndexEntry> out) {
    if (value == null || value.isBlank()) {
      return;
    }
    try {
      out.add(new IndexEntry(parameter, normalizer.apply(value), null));
    } catch (IllegalArgumentException e) {
      // A value without a normal form (a malformed phone number, say) is stored but not searchable.
    }
  }

  private static void addDate(
      SearchParameter parameter, BaseDateTimeType date, List<IndexEntry> out) {
    if (date == null || date.getValueAsString() == null || date.getPrecision() == null) {
      return;
    }
    String text = date.getValueAsString();
    int length =
        switch (date.getPrecision()) {
          case YEAR -> 4;
          case MONTH -> 7;
          default -> 10;
        };
    if (text.length() < length) {
      return;
    }
    String value = text.substring(0, length);
    out.add(new IndexEntry(parameter, value, Integer.parseInt(value.substring(0, 4))));
  }

  private static List<IndexEntry> dedupe(List<IndexEntry> entries) {
    Set<String> seen = new LinkedHashSet<>();
    List<IndexEntry> out = new ArrayList<>();
    for (IndexEntry entry : entries) {
      if (seen.add(
          entry.parameter() + (entry.prefix() ? ":prefix" : "") + "\u0000" + entry.normalized())) {
        out.add(entry);
      }
    }
    return out;
  }
}
