// SPDX-License-Identifier: Apache-2.0
package org.mailseal.records;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Address literals and prefix matching, without ever asking DNS. */
final class IpNetwork {
  private IpNetwork() {}

  static boolean isLiteral(String text, boolean six) {
    if (six
        ? !text.matches("[0-9A-Fa-f:.]+") || !text.contains(":")
        : !text.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
      return false;
    }
    try {
      InetAddress a = InetAddress.getByName(text);
      return six ? a.getAddress().length == 16 || text.contains(":") : a.getAddress().length == 4;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  static InetAddress literal(String text) {
    try {
      return InetAddress.getByName(text);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an address: " + text, e);
    }
  }

  /** Whether {@code ip} is in {@code network}/{@code bits} (same family only). */
  static boolean contains(InetAddress network, int bits, InetAddress ip) {
    byte[] n = network.getAddress();
    byte[] a = ip.getAddress();
    if (n.length != a.length) {
      return false;
    }
    int full = bits / 8;
    for (int i = 0; i < full; i++) {
      if (n[i] != a[i]) {
        return false;
      }
    }
    int rest = bits % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (n[full] & mask) == (a[full] & mask);
  }
}
