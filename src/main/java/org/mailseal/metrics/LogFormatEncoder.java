// SPDX-License-Identifier: Apache-2.0
package org.mailseal.metrics;

import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.EncoderBase;
import java.util.Locale;

/**
 * The encoder {@code logback.xml} names: plain text lines from {@code pattern}, or one JSON object
 * per line (logback's {@link JsonEncoder}: timestamp, level, thread, logger, MDC such as {@code
 * queueId} and {@code session}, the formatted message and any throwable) when {@code format} is
 * {@code json}. The format is read once, at {@link #start()}. An unknown format falls back to plain
 * text with a warning on logback's status, so a typo never silences the log.
 */
public final class LogFormatEncoder extends EncoderBase<ILoggingEvent> {
  private String format = LogFormat.PLAIN;
  private String pattern = "%d %-5level [%thread] %logger %msg%n";
  private Encoder<ILoggingEvent> delegate;

  /** {@code plain} or {@code json}, any case. */
  public void setFormat(String format) {
    this.format = format;
  }

  /** The layout pattern for plain text. */
  public void setPattern(String pattern) {
    this.pattern = pattern;
  }

  /** The format in use once started: {@code plain} or {@code json}. */
  public String format() {
    return delegate instanceof JsonEncoder ? LogFormat.JSON : LogFormat.PLAIN;
  }

  @Override
  public void start() {
    String f = format == null ? "" : format.trim().toLowerCase(Locale.ROOT);
    if (f.equals(LogFormat.JSON)) {
      JsonEncoder json = new JsonEncoder();
      json.setContext(getContext());
      json.setWithSequenceNumber(false);
      json.setWithNanoseconds(false);
      json.setWithContext(false);
      json.setWithMessage(false);
      json.setWithArguments(false);
      json.setWithFormattedMessage(true);
      delegate = json;
    } else {
      if (!f.isEmpty() && !f.equals(LogFormat.PLAIN)) {
        addWarn("unknown log format \"" + format + "\"; using plain (allowed: plain, json)");
      }
      PatternLayoutEncoder plain = new PatternLayoutEncoder();
      plain.setContext(getContext());
      plain.setPattern(pattern);
      delegate = plain;
    }
    delegate.start();
    super.start();
  }

  @Override
  public void stop() {
    if (delegate != null) {
      delegate.stop();
    }
    super.stop();
  }

  @Override
  public byte[] headerBytes() {
    return delegate.headerBytes();
  }

  @Override
  public byte[] encode(ILoggingEvent event) {
    return delegate.encode(event);
  }

  @Override
  public byte[] footerBytes() {
    return delegate.footerBytes();
  }
}
