// SPDX-License-Identifier: Apache-2.0
package org.mailseal.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package rules of docs/architecture.md, checked on the compiled main classes: the build fails
 * when one is broken.
 */
class PackageRulesTest {
  private static JavaClasses classes;

  @BeforeAll
  static void importMainClasses() {
    // The build's own output only: scanning the whole classpath for the package takes seconds.
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPath(Path.of("target/classes"));
  }

  @Test
  void nothingOutsideCliDependsOnCli() {
    noClasses()
        .that()
        .resideOutsideOfPackage("org.mailseal.cli..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("org.mailseal.cli..")
        .check(classes);
  }

  @Test
  void relayUsesNoPicocli() {
    noClasses()
        .that()
        .resideInAPackage("org.mailseal.relay..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("picocli..")
        .check(classes);
  }

  @Test
  void packagesHaveNoCycles() {
    slices().matching("org.mailseal.(*)..").should().beFreeOfCycles().check(classes);
  }

  @Test
  void dkimAndSpoolAreLeaves() {
    for (String leaf : List.of("dkim", "spool")) {
      noClasses()
          .that()
          .resideInAPackage("org.mailseal." + leaf + "..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(otherThan(leaf))
          .because(leaf + " is a leaf: it knows no other part of mailseal")
          .check(classes);
    }
  }

  @Test
  void deliveryKnowsNoKeysAndNoSigning() {
    noClasses()
        .that()
        .resideInAPackage("org.mailseal.delivery..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("org.mailseal.keys..", "org.mailseal.dkim..")
        .check(classes);
  }

  @Test
  void dnsLookupsKnowNoOtherPart() {
    noClasses()
        .that()
        .resideInAPackage("org.mailseal.dns..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(otherThan("dns"))
        .check(classes);
  }

  /** Inline {@code org.mailseal.x.Y} in code hides a dependency from a reader of the imports. */
  @Test
  void cliAndRelayNameOtherPartsOnlyInImports() throws IOException {
    Pattern inline = Pattern.compile("(?<![\\w.])org\\.mailseal\\.[a-z]+\\.[A-Z]");
    List<String> found = new ArrayList<>();
    for (String part : List.of("cli", "relay")) {
      try (Stream<Path> files = Files.list(Path.of("src/main/java/org/mailseal", part))) {
        for (Path f : files.toList()) {
          List<String> lines = Files.readAllLines(f);
          for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.startsWith("import ")
                || line.startsWith("package ")
                || line.startsWith("*")
                || line.startsWith("/**")
                || line.startsWith("//")) {
              continue;
            }
            if (inline.matcher(line).find()) {
              found.add(f + ":" + (i + 1) + ": " + line);
            }
          }
        }
      }
    }
    assertThat(found).as("inline fully-qualified org.mailseal names").isEmpty();
  }

  private static String[] otherThan(String part) {
    return Stream.of(
            "auth",
            "bench",
            "cli",
            "config",
            "db",
            "delivery",
            "dkim",
            "dns",
            "fs",
            "keys",
            "metrics",
            "policy",
            "records",
            "relay",
            "reports",
            "rotation",
            "spool",
            "submission",
            "tls",
            "web")
        .filter(p -> !p.equals(part))
        .map(p -> "org.mailseal." + p + "..")
        .toArray(String[]::new);
  }
}
