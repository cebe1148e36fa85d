// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import java.util.Objects;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * Moves through one XML document element by element, in one namespace: the few moves a report
 * parser needs. Text is capped at {@link ReportParser#MAX_TEXT} characters while it is read, so a
 * huge text node is refused without being held.
 */
class XmlCursor {
  final XMLStreamReader x;

  /** The document's namespace: elements in it or in none are the report's. */
  String namespace = "";

  XmlCursor(XMLStreamReader x) {
    this.x = Objects.requireNonNull(x, "x");
  }

  /**
   * Moves to the next child element of the current one; false at the current one's end tag.
   * Elements of another namespace are skipped here.
   */
  final boolean child() throws XMLStreamException {
    while (x.hasNext()) {
      int e = x.next();
      if (e == XMLStreamConstants.START_ELEMENT) {
        String ns = Objects.requireNonNullElse(x.getNamespaceURI(), "");
        if (ns.equals(namespace) || ns.isEmpty()) {
          return true;
        }
        skip();
      } else if (e == XMLStreamConstants.END_ELEMENT) {
        return false;
      }
    }
    return false;
  }

  final String name() {
    return x.getLocalName();
  }

  /** The text of the current element, stripped; the reader ends on its end tag. */
  final String text() throws XMLStreamException, ReportFormatException {
    String element = x.getLocalName();
    StringBuilder b = new StringBuilder();
    while (true) {
      int e = x.next();
      switch (e) {
        case XMLStreamConstants.CHARACTERS,
            XMLStreamConstants.CDATA,
            XMLStreamConstants.SPACE,
            XMLStreamConstants.ENTITY_REFERENCE -> {
          if (e == XMLStreamConstants.ENTITY_REFERENCE) {
            throw new ReportFormatException("entity reference &" + x.getLocalName() + ";");
          }
          if (b.length() + x.getTextLength() > ReportParser.MAX_TEXT) {
            throw new ReportFormatException(
                "<" + element + "> longer than " + ReportParser.MAX_TEXT + " characters");
          }
          b.append(x.getTextCharacters(), x.getTextStart(), x.getTextLength());
        }
        case XMLStreamConstants.END_ELEMENT -> {
          return b.toString().strip();
        }
        case XMLStreamConstants.START_ELEMENT ->
            throw new ReportFormatException(
                "<" + element + "> holds an element <" + x.getLocalName() + ">, not text");
        default -> {
          // comments and processing instructions inside text
        }
      }
    }
  }

  /** Skips the current element and everything in it. */
  final void skip() throws XMLStreamException {
    int depth = 1;
    while (depth > 0 && x.hasNext()) {
      int e = x.next();
      if (e == XMLStreamConstants.START_ELEMENT) {
        depth++;
      } else if (e == XMLStreamConstants.END_ELEMENT) {
        depth--;
      }
    }
  }
}
