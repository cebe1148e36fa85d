// SPDX-License-Identifier: Apache-2.0
package org.mailseal.records;

import java.util.List;
import java.util.Objects;
import org.mailseal.dns.TxtRecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Name;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.Update;

/** One change to the TXT records at one name, as part of an RFC 2136 update. */
public sealed interface TxtChange permits TxtChange.Replace, TxtChange.Delete, TxtChange.Swap {
  /** The owner name changed. */
  Name name();

  /** Adds this change to the update section of {@code update}. */
  void addTo(Update update);

  /** One line for logs and {@code --dry-run}. */
  String describe();

  /**
   * The whole TXT RRset at {@code name} becomes {@code values} (RFC 2136 §2.5.2 then §2.5.1: delete
   * the RRset, add the records), as for a DKIM selector name, which holds nothing else.
   */
  record Replace(Name name, long ttl, List<TxtRecord> values) implements TxtChange {
    public Replace {
      Objects.requireNonNull(name, "name");
      values = List.copyOf(values);
      if (values.isEmpty()) {
        throw new IllegalArgumentException("Replace: no values; use Delete");
      }
    }

    @Override
    public void addTo(Update update) {
      update.delete(name, Type.TXT);
      for (TxtRecord v : values) {
        update.add(txt(name, ttl, v));
      }
    }

    @Override
    public String describe() {
      StringBuilder sb = new StringBuilder("replace TXT ").append(name);
      values.forEach(v -> sb.append(' ').append(v.zoneText()));
      return sb.toString();
    }
  }

  /** The TXT RRset at {@code name} goes (RFC 2136 §2.5.2), as for a revoked key's selector. */
  record Delete(Name name) implements TxtChange {
    public Delete {
      Objects.requireNonNull(name, "name");
    }

    @Override
    public void addTo(Update update) {
      update.delete(name, Type.TXT);
    }

    @Override
    public String describe() {
      return "delete TXT " + name;
    }
  }

  /**
   * Exactly the records {@code remove} go and {@code add} comes (RFC 2136 §2.5.4 and §2.5.1), the
   * other TXT records at the name staying: an SPF record shares the domain's name with site
   * verifications and the like.
   */
  record Swap(Name name, long ttl, List<TxtRecord> remove, TxtRecord add) implements TxtChange {
    public Swap {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(add, "add");
      remove = List.copyOf(remove);
    }

    @Override
    public void addTo(Update update) {
      for (TxtRecord r : remove) {
        update.delete(txt(name, 0, r));
      }
      update.add(txt(name, ttl, add));
    }

    @Override
    public String describe() {
      StringBuilder sb = new StringBuilder("swap TXT ").append(name);
      remove.forEach(r -> sb.append(" -").append(r.zoneText()));
      return sb.append(" +").append(add.zoneText()).toString();
    }
  }

  private static TXTRecord txt(Name name, long ttl, TxtRecord value) {
    // dnsjava reads backslash escapes in these strings: escape the backslash itself.
    return new TXTRecord(
        name, DClass.IN, ttl, value.strings().stream().map(s -> s.replace("\\", "\\\\")).toList());
  }
}
