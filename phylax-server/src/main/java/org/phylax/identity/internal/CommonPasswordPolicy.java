package org.phylax.identity.internal;

import com.nulabinc.zxcvbn.StandardDictionaries;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.phylax.identity.PasswordPolicy;

/**
 * The password policy. The common passwords are the 30,000 most frequent ones of the password
 * dictionary that zxcvbn4j ({@code com.nulab-inc:zxcvbn}) ships in its jar, compared in lower case;
 * a password is also refused when, after removing digits and symbols from both ends, what remains
 * (at least four characters) is such a password ({@code Password2024!}).
 */
final class CommonPasswordPolicy implements PasswordPolicy {

  static final int MIN_LENGTH = 12;
  static final int MAX_LENGTH = 256;
  private static final int MIN_CORE = 4;

  private final Set<String> common;

  CommonPasswordPolicy() {
    try {
      List<String> words = StandardDictionaries.PASSWORDS_LOADER.load().getFrequencies();
      Set<String> set = new HashSet<>(words.size() * 2);
      for (String word : words) {
        set.add(word.toLowerCase(Locale.ROOT));
      }
      this.common = Set.copyOf(set);
    } catch (IOException e) {
      throw new UncheckedIOException("the common-password list could not be read", e);
    }
  }

  /** How many common passwords the policy knows. */
  int size() {
    return common.size();
  }

  @Override
  public List<String> violations(String username, String password) {
    List<String> problems = new ArrayList<>();
    if (password == null || password.isEmpty()) {
      problems.add("a password is required");
      return problems;
    }
    int length = password.codePointCount(0, password.length());
    if (length < MIN_LENGTH) {
      problems.add("it must be at least " + MIN_LENGTH + " characters long");
    }
    if (length > MAX_LENGTH) {
      problems.add("it must be at most " + MAX_LENGTH + " characters long");
    }
    String lower = password.toLowerCase(Locale.ROOT);
    if (username != null && !username.isBlank()) {
      String name = username.strip().toLowerCase(Locale.ROOT);
      if (lower.equals(name)) {
        problems.add("it must not be the username");
      } else if (lower.contains(name)) {
        problems.add("it must not contain the username");
      }
    }
    if (password.codePoints().distinct().count() == 1) {
      problems.add("it must not be one character repeated");
    }
    if (isCommon(lower)) {
      problems.add("it is a commonly used password (or one with digits or symbols added)");
    }
    return problems;
  }

  private boolean isCommon(String lower) {
    if (common.contains(lower)) {
      return true;
    }
    int start = 0;
    int end = lower.length();
    while (start < end && !Character.isLetter(lower.charAt(start))) {
      start++;
    }
    while (end > start && !Character.isLetter(lower.charAt(end - 1))) {
      end--;
    }
    return end - start >= MIN_CORE && common.contains(lower.substring(start, end));
  }
}
