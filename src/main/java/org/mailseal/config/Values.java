// SPDX-License-Identifier: Apache-2.0
package org.mailseal.config;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Value syntaxes that several sections of {@code mailseal.yaml} share: domain names, IP addresses
 * and networks, paths, and secrets given by variable or file.
 */
final class Values {
  static final Pattern DOMAIN =
      Pattern.compile("([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
  static final Pattern ADDRESS = Pattern.compile("[^@\\s]+@[^@\\s]+\\.[^@\\s]+");

  private Values() {}

  /** A key of {@code f} that names a domain, lower-cased; empty (a problem noted) when not one. */
  static Optional<String> domainKey(Fields f, String name) {
    String d = name.toLowerCase(Locale.ROOT);
    if (!DOMAIN.matcher(d).matches()) {
      f.problemAtKey(name, "not a domain name");
      f.raw(name);
      return Optional.empty();
    }
    return Optional.of(d);
  }

  static String stripDot(String name) {
    return name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
  }

  static String ipAddress(Fields f, String key, String fallback) {
    String address = f.string(key, fallback);
    if (!isIp(address)) {
      f.problem(f.raw(key), f.path(key), "must be an IP address, found " + address);
    }
    return address;
  }

  static Optional<Path> optionalPath(Fields f, String key) {
    return f.has(key) ? Optional.of(f.file(key, "")) : Optional.empty();
  }

  /** A secret given as {@code <name>-env} or {@code <name>-file}; never inline. */
  static Optional<SecretRef> secret(Fields f, String name) {
    return secret(f, name, v -> null);
  }

  static Optional<SecretRef> secret(
      Fields f, String name, java.util.function.Function<String, String> check) {
    if (f.has(name)) {
      f.problemAtKey(
          name,
          "secrets never go in this file: use " + name + "-env (a variable) or " + name + "-file");
      f.raw(name);
    }
    String env = name + "-env";
    String file = name + "-file";
    if (f.has(env) && f.has(file)) {
      f.problemAtKey(file, "give " + env + " or " + file + ", not both");
      f.raw(file);
    }
    String key = f.has(env) ? env : f.has(file) ? file : null;
    String value = key == null ? "" : f.string(key, "");
    if (key == null) {
      return Optional.empty();
    }
    if (value.isBlank()) {
      f.problemAtKey(key, "must name " + (key.equals(env) ? "a variable" : "a file"));
      return Optional.empty();
    }
    SecretRef ref =
        key.equals(env) ? new SecretRef(value, null) : new SecretRef(null, f.file(key, ""));
    f.secret(key, ref, check);
    return Optional.of(ref);
  }

  /** Why {@code value} is not 32 bytes in base64 or 64 hex digits, or null. */
  static String keyEncryptionKey(String value) {
    String t = value.strip();
    if (t.matches("[0-9a-fA-F]{64}")) {
      return null;
    }
    int n;
    try {
      n = java.util.Base64.getDecoder().decode(t).length;
    } catch (IllegalArgumentException e) {
      n = -1;
    }
    return n == 32
        ? null
        : "the key-encryption key must be 32 bytes in base64 or 64 hex digits"
            + " (make one with: openssl rand -base64 32)";
  }

  static boolean isIp(String v) {
    String t = v.strip();
    if (!t.matches("[0-9.]+") && !t.matches("[0-9a-fA-F:.]+")) {
      return false; // never a host name: no DNS lookups while reading the config
    }
    try {
      InetAddress.getByName(t);
      return t.contains(":") || t.split("\\.").length == 4;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  static boolean ipOrCidr(String v, boolean six) {
    String t = v.strip();
    int slash = t.indexOf('/');
    String ip = slash < 0 ? t : t.substring(0, slash);
    if (!isIp(ip) || ip.contains(":") != six) {
      return false;
    }
    if (slash < 0) {
      return true;
    }
    try {
      int bits = Integer.parseInt(t.substring(slash + 1));
      return bits >= 0 && bits <= (six ? 128 : 32);
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
