// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mailseal.dkim.DkimKeyRecord;
import org.mailseal.dns.TxtRecord;
import org.mailseal.keys.PemKeys;

class SignVerifyCommandTest {
  private static final Path RSA = Path.of("src/test/resources/keys/rsa2048-pkcs1.pem");
  private static final Path ED = Path.of("src/test/resources/keys/ed25519-pkcs8.pem");

  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code =
        MailsealCommand.commandLine()
            .setOut(new PrintWriter(out))
            .setErr(new PrintWriter(err))
            .execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private static String record(Path key) throws Exception {
    return DkimKeyRecord.forPublicKey(PemKeys.publicKeyOf(PemKeys.readPrivateKey(key))).render();
  }

  private Path message(String text) throws Exception {
    Path p = dir.resolve("in.eml");
    Files.writeString(p, text);
    return p;
  }

  @Test
  void signThenVerifyPassesBothSignatures() throws Exception {
    Path in = message("From: a@example.com\nTo: b@example.net\nSubject: hi\n\nhello\n");
    Path out = dir.resolve("out.eml");
    // verify reads the system clock, so t= and x= must be recent: a fixed past t= expires.
    long t = java.time.Instant.now().getEpochSecond() - 60;
    Run sign =
        run(
            "sign",
            "--domain",
            "example.com",
            "--selector",
            "r1",
            "--key",
            RSA.toString(),
            "--domain",
            "example.com",
            "--selector",
            "e1",
            "--key",
            ED.toString(),
            "--timestamp",
            Long.toString(t),
            "--expire-after",
            "7d",
            in.toString(),
            "-o",
            out.toString());
    assertThat(sign.code()).as(sign.err()).isZero();
    String signed = Files.readString(out);
    assertThat(signed).startsWith("DKIM-Signature: v=1; a=rsa-sha256;").contains("t=" + t + ";");
    assertThat(signed).contains("x=" + (t + 7 * 86400) + ";");

    Run verify =
        run(
            "verify",
            "--key-record",
            "r1._domainkey.example.com=" + record(RSA),
            "--key-record",
            "e1._domainkey.example.com=" + record(ED),
            out.toString());
    assertThat(verify.code()).isZero();
    assertThat(verify.out().lines())
        .containsExactly(
            out + ": dkim=pass d=example.com s=r1 a=rsa-sha256",
            out + ": dkim=pass d=example.com s=e1 a=ed25519-sha256");
  }

  @Test
  void verifyReportsFailureReasonAndExitsOne() throws Exception {
    Path in = message("From: a@example.com\n\nhello\n");
    Path out = dir.resolve("out.eml");
    assertThat(
            run(
                    "sign",
                    "--domain",
                    "example.com",
                    "--selector",
                    "e1",
                    "--key",
                    ED.toString(),
                    in.toString(),
                    "-o",
                    out.toString())
                .code())
        .isZero();
    Files.writeString(out, Files.readString(out).replace("hello", "HELLO"));
    Run verify =
        run("verify", "--key-record", "e1._domainkey.example.com=" + record(ED), out.toString());
    assertThat(verify.code()).isEqualTo(1);
    assertThat(verify.out())
        .isEqualTo(
            out + ": dkim=fail (body hash did not verify) d=example.com s=e1 a=ed25519-sha256\n");
  }

  @Test
  void keyRecordsAreReadAsAZoneFileWritesThem() throws Exception {
    Path in = message("From: a@example.com\n\nhello\n");
    Path out = dir.resolve("out.eml");
    String[] sign = {"sign", "--domain", "example.com", "--selector", "r1", "--key"};
    assertThat(run(concat(sign, RSA.toString(), in.toString(), "-o", out.toString())).code())
        .isZero();
    // A 2048-bit key's record is longer than 255 bytes: a zone file splits it into two strings.
    String quoted = TxtRecord.split(record(RSA)).zoneText();
    assertThat(quoted).contains("\" \"");
    Run inline =
        run("verify", "--key-record", "r1._domainkey.example.com=" + quoted, out.toString());
    assertThat(inline.out()).as(inline.err()).contains("dkim=pass d=example.com s=r1");

    Path zone = dir.resolve("example.com.zone");
    Files.writeString(zone, "r1._domainkey.example.com. 3600 IN TXT " + quoted + "\n");
    Run file = run("verify", "--key-record-file", zone.toString(), out.toString());
    assertThat(file.out()).as(file.err()).contains("dkim=pass d=example.com s=r1");
  }

  private static String[] concat(String[] head, String... tail) {
    String[] all = java.util.Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, all, head.length, tail.length);
    return all;
  }

  @Test
  void unsignedMessageIsReportedAsNone() throws Exception {
    Path in = message("From: a@example.com\n\nhello\n");
    Run verify = run("verify", in.toString());
    assertThat(verify.code()).isEqualTo(1);
    assertThat(verify.out()).isEqualTo(in + ": dkim=none (no signature)\n");
  }

  @Test
  void badInputGetsOneLineAndExitTwo() throws Exception {
    Path in = message("From: a@example.com\n\nhello\n");
    Path garbage = dir.resolve("bad.pem");
    Files.writeString(garbage, "nope");
    Run badKey =
        run(
            "sign",
            "--domain",
            "example.com",
            "--selector",
            "s",
            "--key",
            garbage.toString(),
            in.toString());
    assertThat(badKey.code()).isEqualTo(2);
    assertThat(badKey.err()).isEqualTo("mailseal: " + garbage + ": no PEM private key found\n");

    Path noFrom = dir.resolve("nofrom.eml");
    Files.writeString(noFrom, "To: b@example.net\n\nhello\n");
    Run sign =
        run(
            "sign",
            "--domain",
            "example.com",
            "--selector",
            "s",
            "--key",
            ED.toString(),
            noFrom.toString(),
            "-o",
            dir.resolve("x").toString());
    assertThat(sign.code()).isEqualTo(2);
    assertThat(sign.err()).isEqualTo("mailseal: " + noFrom + ": message has no From header\n");

    Run missing = run("verify", dir.resolve("missing.eml").toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err().lines())
        .containsExactly("mailseal: " + dir.resolve("missing.eml") + ": no such file");

    Run bigHeader =
        run(
            "sign",
            "--domain",
            "example.com",
            "--selector",
            "s",
            "--key",
            ED.toString(),
            "--max-header-bytes",
            "1024",
            message("From: a@example.com\nX: " + "y".repeat(2000) + "\n\nb\n").toString(),
            "-o",
            dir.resolve("y").toString());
    assertThat(bigHeader.code()).isEqualTo(2);
    assertThat(bigHeader.err())
        .contains("header section exceeds 1024 bytes")
        .doesNotContain("Exception");
  }

  @Test
  void helpAndVersionWork() {
    assertThat(run("--version").out()).startsWith("mailseal ");
    Run help = run("--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).contains("sign").contains("verify");
  }
}
