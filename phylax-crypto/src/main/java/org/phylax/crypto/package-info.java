/**
 * Phylax's cryptography: field encryption, blind indexes, audit chain hashing and RFC 9162 Merkle
 * trees. Plain Java over Google Tink, with no Spring, so that it can be reviewed, tested against
 * published vectors and benchmarked on its own.
 */
package org.phylax.crypto;
