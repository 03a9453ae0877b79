package org.phylax.records;

/**
 * How {@link RecordStore#searchText} compares a string parameter ({@code family}, {@code given},
 * {@code name}) with the stored names, as FHIR's string search does.
 *
 * <p>{@link #PREFIX}, FHIR's default: a name matches when one of its words (words start at the
 * beginning, after a space or a hyphen) starts with the query, both case- and accent-folded; {@code
 * smi} finds Smith and Smith-Jones, {@code jon} finds Smith-Jones, {@code mit} finds neither. The
 * query needs at least {@link #MIN_PREFIX_LENGTH} characters after normalization. {@link #EXACT},
 * FHIR's {@code :exact}: a name matches only when it equals the query as written, case and accents
 * included.
 */
public enum TextMatch {
  PREFIX,
  EXACT;

  /**
   * The shortest prefix searched, in characters after normalization. Shorter prefixes would each
   * match a large share of the patients and are the easiest to recognize by their frequency.
   */
  public static final int MIN_PREFIX_LENGTH = 3;
}
