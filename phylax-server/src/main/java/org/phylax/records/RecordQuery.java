package org.phylax.records;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.phylax.crypto.Normalizers;

/**
 * A search of one resource type by several criteria, all of which must hold (AND); the values of
 * one criterion are alternatives (OR). {@code RecordStore.search(permit, query)} turns every
 * criterion into a blind-index condition in one SQL statement, so the database intersects the token
 * sets before anything is decrypted, and then decides each criterion on the decrypted candidates.
 *
 * <p>Values are validated where the query is made: a string prefix shorter than {@link
 * TextMatch#MIN_PREFIX_LENGTH}, an empty value or an empty date range is refused with an {@link
 * IllegalArgumentException} naming the parameter, never the value. Holds PHI (the values), so it is
 * no record and prints only parameter names.
 */
public final class RecordQuery {

  /** What one criterion compares. */
  public enum Kind {
    /** The normalized value equals one of the values ({@link RecordStore#search} semantics). */
    EQUALS,
    /** A string parameter matches one of the values by {@link TextMatch}. */
    TEXT,
    /** A date parameter meets the inclusive range. */
    DATE_RANGE
  }

  /** One criterion. Holds PHI: prints its parameter only. */
  public static final class Criterion {
    private final Kind kind;
    private final SearchParameter parameter;
    private final List<String> values;
    private final TextMatch match;
    private final LocalDate from;
    private final LocalDate to;

    private Criterion(
        Kind kind,
        SearchParameter parameter,
        List<String> values,
        TextMatch match,
        LocalDate from,
        LocalDate to) {
      this.kind = kind;
      this.parameter = parameter;
      this.values = List.copyOf(values);
      this.match = match;
      this.from = from;
      this.to = to;
    }

    public Kind kind() {
      return kind;
    }

    public SearchParameter parameter() {
      return parameter;
    }

    /** The alternatives, as given (EQUALS, TEXT); empty for a date range. */
    public List<String> values() {
      return values;
    }

    /** For TEXT: prefix or exact. */
    public TextMatch match() {
      return match;
    }

    /** For DATE_RANGE: the first day, inclusive. */
    public LocalDate from() {
      return from;
    }

    /** For DATE_RANGE: the last day, inclusive. */
    public LocalDate to() {
      return to;
    }

    @Override
    public String toString() {
      return "Criterion[" + kind + " " + parameter.code() + ", values=***]";
    }
  }

  /** Order of the results by a date parameter; resources without that date come last. */
  public record Sort(SearchParameter parameter, boolean descending) {
    public Sort {
      if (parameter == null || parameter.kind() != SearchParameter.Kind.DATE) {
        throw new IllegalArgumentException("results can be sorted by a date parameter only");
      }
    }
  }

  private final String resourceType;
  private final Set<UUID> ids;
  private final UUID patient;
  private final List<Criterion> criteria;
  private final Sort sort;

  private RecordQuery(Builder b) {
    this.resourceType = b.resourceType;
    this.ids = b.ids == null ? null : Set.copyOf(b.ids);
    this.patient = b.patient;
    this.criteria = List.copyOf(b.criteria);
    this.sort = b.sort;
  }

  public static Builder of(String resourceType) {
    return new Builder(resourceType);
  }

  public String resourceType() {
    return resourceType;
  }

  /** Only these ids, when present. */
  public Optional<Set<UUID>> ids() {
    return Optional.ofNullable(ids);
  }

  /** Only this patient's resources, when present. */
  public Optional<UUID> patient() {
    return Optional.ofNullable(patient);
  }

  public List<Criterion> criteria() {
    return criteria;
  }

  public Optional<Sort> sort() {
    return Optional.ofNullable(sort);
  }

  @Override
  public String toString() {
    return "RecordQuery[" + resourceType + ", " + criteria + "]";
  }

  /** Builds a query; every method validates its argument at once. */
  public static final class Builder {
    private final String resourceType;
    private Set<UUID> ids;
    private UUID patient;
    private final List<Criterion> criteria = new ArrayList<>();
    private Sort sort;

    private Builder(String resourceType) {
      if (resourceType == null || resourceType.isBlank()) {
        throw new IllegalArgumentException("a query names its resource type");
      }
      this.resourceType = resourceType;
    }

    /** Only resources with one of these ids (ANDed with the rest). */
    public Builder ids(Collection<UUID> ids) {
      Set<UUID> set = new LinkedHashSet<>(ids);
      this.ids = this.ids == null ? set : intersect(this.ids, set);
      return this;
    }

    /** Only this patient's resources. */
    public Builder patient(UUID patient) {
      if (this.patient != null && !this.patient.equals(patient)) {
        throw new IllegalArgumentException("a query names one patient");
      }
      this.patient = patient;
      return this;
    }

    /** The parameter equals one of the values after normalization. */
    public Builder equalsAny(SearchParameter parameter, List<String> values) {
      requireApplies(parameter);
      requireValues(parameter, values);
      if (parameter.kind() == SearchParameter.Kind.DATE) {
        throw new IllegalArgumentException(
            "search parameter " + parameter.code() + " is a date: use a date range");
      }
      criteria.add(new Criterion(Kind.EQUALS, parameter, values, null, null, null));
      return this;
    }

    /** A string parameter matches one of the values, by prefix or exactly. */
    public Builder text(SearchParameter parameter, List<String> values, TextMatch match) {
      requireApplies(parameter);
      requireValues(parameter, values);
      if (!parameter.isString() || match == null) {
        throw new IllegalArgumentException(
            "search parameter " + parameter.code() + " is not a string parameter");
      }
      if (match == TextMatch.PREFIX) {
        for (String value : values) {
          String normalized;
          try {
            normalized = Normalizers.name(value);
          } catch (IllegalArgumentException e) {
            normalized = "";
          }
          if (normalized.codePointCount(0, normalized.length()) < TextMatch.MIN_PREFIX_LENGTH) {
            throw new IllegalArgumentException(
                "search parameter "
                    + parameter.code()
                    + " needs at least "
                    + TextMatch.MIN_PREFIX_LENGTH
                    + " characters for a prefix search");
          }
        }
      }
      criteria.add(new Criterion(Kind.TEXT, parameter, values, match, null, null));
      return this;
    }

    /** A date parameter meets {@code [from, to]}; several ranges of one parameter are ANDed. */
    public Builder dateRange(SearchParameter parameter, LocalDate from, LocalDate to) {
      requireApplies(parameter);
      if (parameter.kind() != SearchParameter.Kind.DATE) {
        throw new IllegalArgumentException(
            "search parameter " + parameter.code() + " is not a date");
      }
      if (from == null || to == null) {
        throw new IllegalArgumentException("a date range needs both ends");
      }
      criteria.add(new Criterion(Kind.DATE_RANGE, parameter, List.of(), null, from, to));
      return this;
    }

    public Builder sort(Sort sort) {
      if (sort != null) {
        requireApplies(sort.parameter());
      }
      this.sort = sort;
      return this;
    }

    /**
     * @throws IllegalArgumentException when the query has nothing to search by: neither ids, a
     *     patient nor a criterion
     */
    public RecordQuery build() {
      if (ids == null && patient == null && criteria.isEmpty()) {
        throw new IllegalArgumentException("a query needs ids, a patient or a criterion");
      }
      return new RecordQuery(this);
    }

    private void requireApplies(SearchParameter parameter) {
      if (parameter == null || !parameter.appliesTo(resourceType)) {
        throw new IllegalArgumentException(
            "search parameter "
                + (parameter == null ? "null" : parameter.code())
                + " does not apply to "
                + resourceType);
      }
    }

    private static void requireValues(SearchParameter parameter, List<String> values) {
      if (values == null || values.isEmpty()) {
        throw new IllegalArgumentException(
            "search parameter " + parameter.code() + " needs a value");
      }
      for (String v : values) {
        if (v == null || v.isBlank()) {
          throw new IllegalArgumentException(
              "search parameter " + parameter.code() + " needs a value");
        }
      }
    }

    private static Set<UUID> intersect(Set<UUID> a, Set<UUID> b) {
      Set<UUID> out = new LinkedHashSet<>(a);
      out.retainAll(b);
      return out;
    }
  }
}
