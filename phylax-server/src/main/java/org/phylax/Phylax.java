package org.phylax;

import org.phylax.cli.PhylaxCli;

/** The entry point of {@code ./phylax}: runs one CLI command and exits with its status. */
public final class Phylax {

  private Phylax() {}

  public static void main(String[] args) {
    int status = PhylaxCli.execute(args, System.getenv(), System.out, System.err);
    System.exit(status);
  }
}
