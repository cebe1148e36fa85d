// SPDX-License-Identifier: Apache-2.0
package org.mailseal.sendmail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A message read from standard input the way sendmail reads it, made ready for SMTP: CRLF lines,
 * Bcc dropped under {@code -t}, a From added when there is none, and bare names ({@code root}, as
 * cron writes {@code From: root (Cron Daemon)}) qualified with the origin domain in From and in the
 * envelope, as Postfix's {@code myorigin} does.
 *
 * @param sender the envelope sender
 * @param recipients the envelope recipients, in order, without duplicates
 * @param bytes the message, CRLF line ends, not dot-stuffed
 */
public record LocalMessage(String sender, List<String> recipients, byte[] bytes) {
  private static final Pattern FIELD_NAME = Pattern.compile("[!-9;-~]+:.*", Pattern.DOTALL);
  private static final Pattern ANGLE = Pattern.compile("<([^<>]*)>");
  private static final Pattern BARE = Pattern.compile("^(\\s*)([^\\s()<>,;:\"@]+)(?=\\s|\\(|$)");

  public LocalMessage {
    recipients = List.copyOf(recipients);
  }

  /**
   * @param user the login name of the caller, the sender when {@code -f} is not given
   * @param origin the domain that bare names get
   * @throws SendmailException with {@link SendmailException#USAGE} when there is no recipient
   */
  public static LocalMessage read(InputStream in, SendmailArgs args, String user, String origin)
      throws IOException, SendmailException {
    List<String> lines = lines(in, args.ignoreDots());
    List<Field> header = new ArrayList<>();
    int k = 0;
    while (k < lines.size() && !lines.get(k).isEmpty()) {
      String line = lines.get(k);
      if ((line.startsWith(" ") || line.startsWith("\t")) && !header.isEmpty()) {
        header.get(header.size() - 1).lines().add(line);
      } else if (FIELD_NAME.matcher(line).matches()) {
        header.add(new Field(line.substring(0, line.indexOf(':')), new ArrayList<>(List.of(line))));
      } else {
        break; // not a header field: the body starts here, without the empty line
      }
      k++;
    }
    boolean separated = k < lines.size() && lines.get(k).isEmpty();
    List<String> body = lines.subList(separated ? k + 1 : k, lines.size());

    String sender = qualify(args.sender().orElse(user), origin);
    Set<String> recipients = new LinkedHashSet<>();
    if (args.readRecipients()) {
      for (Field f : header) {
        if (f.is("To") || f.is("Cc") || f.is("Bcc")) {
          for (String a : addresses(f.value())) {
            recipients.add(qualify(a, origin));
          }
        }
      }
      header.removeIf(f -> f.is("Bcc"));
    }
    for (String r : args.recipients()) {
      for (String a : addresses(r)) {
        recipients.add(qualify(a, origin));
      }
    }
    if (recipients.isEmpty()) {
      throw new SendmailException(
          args.readRecipients()
              ? "no recipients: none as arguments, none in To, Cc or Bcc"
              : "no recipients given (name them as arguments, or use -t)",
          SendmailException.USAGE);
    }

    Optional<Field> from = header.stream().filter(f -> f.is("From")).findFirst();
    if (from.isEmpty()) {
      String value =
          args.fullName().map(n -> quoted(n) + " <" + sender + ">").orElse("<" + sender + ">");
      header.add(0, new Field("From", new ArrayList<>(List.of("From: " + value))));
    } else {
      String qualified = qualifyField(from.get().value(), origin);
      if (!qualified.equals(from.get().value())) {
        from.get().lines().clear();
        from.get().lines().add("From: " + qualified);
      }
    }

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Field f : header) {
      for (String l : f.lines()) {
        crlf(out, l);
      }
    }
    crlf(out, "");
    for (String l : body) {
      crlf(out, l);
    }
    return new LocalMessage(sender, List.copyOf(recipients), out.toByteArray());
  }

  /** {@code name} with {@code @origin} when it has no domain. */
  static String qualify(String address, String origin) {
    String a = address.strip();
    if (a.startsWith("<") && a.endsWith(">")) {
      a = a.substring(1, a.length() - 1);
    }
    return a.isEmpty() || a.contains("@") ? a : a + "@" + origin;
  }

  /** A From value with its address qualified: {@code root (Cron Daemon)}, {@code Name <root>}. */
  static String qualifyField(String value, String origin) {
    Matcher angle = ANGLE.matcher(value);
    if (angle.find()) {
      String inner = angle.group(1).strip();
      return inner.contains("@") || inner.isEmpty()
          ? value
          : value.substring(0, angle.start(1))
              + qualify(inner, origin)
              + value.substring(angle.end(1));
    }
    if (value.contains("@")) {
      return value;
    }
    Matcher bare = BARE.matcher(value);
    return bare.find()
        ? bare.group(1) + bare.group(2) + "@" + origin + value.substring(bare.end())
        : value;
  }

  /** The addresses of a header value or an argument: {@code a@x, "B" <b@y>, group: c@z;}. */
  static List<String> addresses(String value) {
    List<String> out = new ArrayList<>();
    StringBuilder part = new StringBuilder();
    boolean quoted = false;
    int angle = 0;
    int comment = 0;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (quoted) {
        if (c == '"') {
          quoted = false;
        }
        continue;
      }
      if (comment > 0) {
        comment += c == '(' ? 1 : c == ')' ? -1 : 0;
        continue;
      }
      switch (c) {
        case '"' -> quoted = true;
        case '(' -> comment = 1;
        case '<' -> {
          angle++;
          part.setLength(0);
        }
        case '>' -> angle = Math.max(0, angle - 1);
        case ':' -> {
          if (angle == 0) {
            part.setLength(0); // a group's display name
          } else {
            part.append(c);
          }
        }
        case ',', ';' -> {
          if (angle == 0) {
            add(out, part);
          } else {
            part.append(c);
          }
        }
        default -> part.append(c);
      }
    }
    add(out, part);
    return out;
  }

  private static void add(List<String> out, StringBuilder part) {
    String a = part.toString().strip();
    if (!a.isEmpty() && !a.contains(" ")) {
      out.add(a);
    }
    part.setLength(0);
  }

  private static String quoted(String name) {
    return "\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static void crlf(ByteArrayOutputStream out, String line) {
    byte[] b = line.getBytes(StandardCharsets.ISO_8859_1);
    out.write(b, 0, b.length);
    out.write('\r');
    out.write('\n');
  }

  /**
   * The input as lines without their ends (bytes kept as ISO-8859-1, so 8-bit text passes through
   * unchanged); without {@code ignoreDots}, a line with a single dot ends it.
   */
  private static List<String> lines(InputStream in, boolean ignoreDots) throws IOException {
    String all = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    List<String> lines = new ArrayList<>(List.of(all.split("\r?\n", -1)));
    if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines.remove(lines.size() - 1);
    }
    if (!ignoreDots) {
      int dot = lines.indexOf(".");
      if (dot >= 0) {
        lines = new ArrayList<>(lines.subList(0, dot));
      }
    }
    return lines;
  }

  /** One header field: its name and its lines as given (folded lines kept). */
  private record Field(String name, List<String> lines) {
    boolean is(String other) {
      return name.strip().toLowerCase(Locale.ROOT).equals(other.toLowerCase(Locale.ROOT));
    }

    String value() {
      String joined = String.join("", lines);
      return joined.substring(joined.indexOf(':') + 1).strip();
    }
  }
}
