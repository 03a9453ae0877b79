package org.phylax.records.internal;

import org.phylax.records.SearchParameter;

/**
 * One searchable value of a resource: the parameter, its normalized value and, for dates, the year.
 * Holds PHI, so it is no record and prints only its parameter.
 */
final class IndexEntry {

  private final SearchParameter parameter;
  private final String normalized;
  private final Integer year;
  private final boolean prefix;

  IndexEntry(SearchParameter parameter, String normalized, Integer year) {
    this(parameter, normalized, year, false);
  }

  IndexEntry(SearchParameter parameter, String normalized, Integer year, boolean prefix) {
    this.parameter = parameter;
    this.normalized = normalized;
    this.year = year;
    this.prefix = prefix;
  }

  /** Whether this is a prefix of a name (kept under its own blind-index field), not a value. */
  boolean prefix() {
    return prefix;
  }

  SearchParameter parameter() {
    return parameter;
  }

  /** The normalized value; for dates {@code yyyy}, {@code yyyy-MM} or {@code yyyy-MM-dd}. */
  String normalized() {
    return normalized;
  }

  /** The year of a date, null for other parameters. */
  Integer year() {
    return year;
  }

  @Override
  public String toString() {
    return "IndexEntry[" + parameter + (prefix ? ":prefix" : "") + ", value=***]";
  }
}
