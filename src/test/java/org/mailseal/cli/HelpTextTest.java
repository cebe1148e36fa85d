// SPDX-License-Identifier: Apache-2.0
package org.mailseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * The one-line summaries that command lists, man pages (NAME) and completion show are whole
 * sentences: picocli takes the first description line, so that line must end one.
 */
@Timeout(30)
class HelpTextTest {

  static void collect(CommandLine cl, List<CommandLine> out) {
    out.add(cl);
    cl.getSubcommands().values().stream().distinct().forEach(sub -> collect(sub, out));
  }

  @Test
  void everyCommandSummaryIsAWholeSentence() {
    List<CommandLine> all = new ArrayList<>();
    collect(MailsealCommand.commandLine(), all);
    assertThat(all).hasSizeGreaterThan(30);
    List<String> cut = new ArrayList<>();
    for (CommandLine cl : all) {
      String[] d = cl.getCommandSpec().usageMessage().description();
      String first = d.length == 0 ? "" : d[0].strip();
      if (!first.endsWith(".")) {
        cut.add(cl.getCommandSpec().qualifiedName() + ": \"" + first + "\"");
      }
    }
    assertThat(cut).as("summaries cut mid-sentence").isEmpty();
  }
}
