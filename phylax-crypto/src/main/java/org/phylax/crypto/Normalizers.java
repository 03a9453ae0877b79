package org.phylax.crypto;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import java.text.Normalizer;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Canonical forms of searchable values, applied before {@link BlindIndex#token}: values a person
 * would call equal get the same token. Each throws {@link IllegalArgumentException} (without the
 * value in its message) when the input has no canonical form.
 */
public final class Normalizers {

  private static final Pattern MARKS = Pattern.compile("\\p{M}+");
  // Unicode white space, not only ASCII: U+0085 and U+2028 survive NFKC and would otherwise
  // stay inside a name and give it a different token.
  private static final Pattern SPACES = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);
  // Any dash (\p{Pd}: hyphen, en dash, ...) and the minus sign, which word processors substitute
  // for the ASCII hyphen.
  private static final Pattern SEPARATORS =
      Pattern.compile("[\\s\\p{Pd}\\u2212./_]+", Pattern.UNICODE_CHARACTER_CLASS);

  private Normalizers() {}

  /**
   * Names: Unicode NFKC, diacritics stripped (Renée → renee), case folded, runs of white space
   * collapsed to one space, trimmed.
   */
  public static String name(String value) {
    String compatible = Normalizer.normalize(value, Normalizer.Form.NFKC);
    String decomposed = Normalizer.normalize(compatible, Normalizer.Form.NFD);
    String bare = MARKS.matcher(decomposed).replaceAll("");
    String folded =
        Normalizer.normalize(bare, Normalizer.Form.NFKC)
            .toUpperCase(Locale.ROOT)
            .toLowerCase(Locale.ROOT); // upper then lower folds ß to ss, as full case folding does
    String collapsed = SPACES.matcher(folded).replaceAll(" ").strip();
    if (collapsed.isEmpty()) {
      throw new IllegalArgumentException("a name needs at least one letter");
    }
    return collapsed;
  }

  /**
   * Phone numbers: E.164 digits without the plus ({@code 15555550123}), parsed with libphonenumber;
   * numbers written without a country code are read as in {@code defaultRegion} (ISO 3166 code such
   * as {@code US}).
   */
  public static String phone(String value, String defaultRegion) {
    PhoneNumberUtil util = PhoneNumberUtil.getInstance();
    try {
      var number = util.parse(value, defaultRegion);
      if (!util.isPossibleNumber(number)) {
        throw new IllegalArgumentException("not a possible phone number");
      }
      return util.format(number, PhoneNumberUtil.PhoneNumberFormat.E164).substring(1);
    } catch (NumberParseException e) {
      throw new IllegalArgumentException("not a phone number");
    }
  }

  /**
   * SSNs, MRNs and other identifiers: Unicode NFKC (fullwidth digits become ASCII), separators
   * (white space of any kind, any dash, minus, . / _) removed, upper case.
   */
  public static String identifier(String value) {
    String compatible = Normalizer.normalize(value, Normalizer.Form.NFKC);
    String bare = SEPARATORS.matcher(compatible).replaceAll("").toUpperCase(Locale.ROOT);
    if (bare.isEmpty()) {
      throw new IllegalArgumentException("an identifier needs at least one character");
    }
    return bare;
  }

  /** E-mail addresses: trimmed, lower case. */
  public static String email(String value) {
    String address = value.strip().toLowerCase(Locale.ROOT);
    int at = address.indexOf('@');
    if (at < 1 || at != address.lastIndexOf('@') || at == address.length() - 1) {
      throw new IllegalArgumentException("not an e-mail address");
    }
    return address;
  }

  /** Dates: ISO 8601 {@code yyyy-MM-dd}. */
  public static String date(String value) {
    try {
      return LocalDate.parse(value.strip()).toString();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("not an ISO date (yyyy-MM-dd)");
    }
  }

  public static String date(LocalDate value) {
    return value.toString();
  }
}
