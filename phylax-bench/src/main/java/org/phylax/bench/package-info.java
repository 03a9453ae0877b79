/**
 * Benchmarks of Phylax with every safeguard on: JMH suites for the cryptography and the audit
 * chain, and an HTTP load generator for the server. This module is never packaged into the product.
 */
package org.phylax.bench;
