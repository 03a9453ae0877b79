package org.phylax.platform;

import java.util.List;

/**
 * The configuration cannot work: a setting is malformed, or what it names (a directory, a database)
 * is not usable. The message is one line that names each setting and what is wrong with it, fit to
 * print to an operator as is; it never carries a password or key.
 */
public final class ConfigurationProblem extends RuntimeException {

  private final List<String> problems;

  public ConfigurationProblem(List<String> problems) {
    super(String.join("; ", problems));
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a configuration problem needs at least one problem");
    }
    this.problems = List.copyOf(problems);
  }

  public ConfigurationProblem(String problem) {
    this(List.of(problem));
  }

  /** Each violated rule, one entry each, in the order they were found. */
  public List<String> problems() {
    return problems;
  }
}
