package org.phylax.platform.internal;

import org.phylax.platform.ConfigurationProblem;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Reports a {@link ConfigurationProblem} found while the application starts as its one line,
 * without a stack trace: the operator has a setting to fix, not a bug to read.
 */
class ConfigurationProblemFailureAnalyzer extends AbstractFailureAnalyzer<ConfigurationProblem> {

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, ConfigurationProblem cause) {
    return new FailureAnalysis(cause.getMessage(), "Fix the setting named above.", null);
  }
}
