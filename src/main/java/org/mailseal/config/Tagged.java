// SPDX-License-Identifier: Apache-2.0
package org.mailseal.config;

/**
 * A member of a closed set that the configuration names by a word: {@code smarthost}, {@code
 * authoritative}, {@code r}. {@link ConfigLoader} maps the word to the constant once, at load; no
 * consumer compares configuration strings again.
 */
public interface Tagged {
  /** The word the configuration file uses. */
  String tag();
}
