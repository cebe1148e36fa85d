// SPDX-License-Identifier: Apache-2.0
package org.mailseal.reports;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.search.FlagTerm;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import javax.net.ssl.SSLSocketFactory;
import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;
import org.mailseal.config.MailsealConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the mailbox that the domain's {@code rua=} address delivers to ({@code
 * dmarc.reports.imap}), imports every report in it, and marks each read message seen or moves it to
 * another folder, so the next fetch reads only new mail. A message that holds no readable report is
 * set aside (counted, logged) and marked or moved all the same; a store failure leaves the message
 * as it was, to be read again.
 *
 * <p>{@link #fetchOnce()} is the whole job: the running relay calls it on its schedule, {@code
 * mailseal dmarc fetch} once. Calls are serialised.
 */
public final class ImapFetcher {
  private static final Logger log = LoggerFactory.getLogger(ImapFetcher.class);
  private static final int TIMEOUT_MILLIS = 60_000;

  private final MailsealConfig.Imap imap;
  private final SSLSocketFactory tls;
  private final ReportImporter importer;
  private final long maxMessageBytes;

  /**
   * @param tls the socket factory for {@code implicit} and {@code starttls}: the system's trust or
   *     the configured {@code ca-file}'s
   * @param maxMessageBytes larger messages are set aside without being downloaded
   */
  public ImapFetcher(
      MailsealConfig.Imap imap,
      SSLSocketFactory tls,
      ReportImporter importer,
      long maxMessageBytes) {
    this.imap = Objects.requireNonNull(imap, "imap");
    this.tls = Objects.requireNonNull(tls, "tls");
    this.importer = Objects.requireNonNull(importer, "importer");
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * What one fetch did.
   *
   * @param messages messages read (and marked or moved)
   * @param imported the reports they held
   */
  public record FetchSummary(int messages, ImportSummary imported) {
    public String line() {
      return messages + (messages == 1 ? " message" : " messages") + " read: " + imported.line();
    }
  }

  /** Connects, reads what is new, marks or moves it, disconnects. */
  public synchronized FetchSummary fetchOnce() throws ReportFetchException, ReportStoreException {
    String protocol = imap.tls() == MailsealConfig.ImapTls.IMPLICIT ? "imaps" : "imap";
    Session session = Session.getInstance(properties(protocol));
    String password;
    try {
      password = imap.password().resolve();
    } catch (IllegalStateException e) {
      throw new ReportFetchException("dmarc.reports.imap: password: " + e.getMessage(), e);
    }
    Store store;
    try {
      store = session.getStore(protocol);
      store.connect(imap.host(), imap.port(), imap.username(), password);
    } catch (MessagingException e) {
      throw new ReportFetchException(
          "cannot log in to "
              + imap.host()
              + ":"
              + imap.port()
              + " as "
              + imap.username()
              + ": "
              + ReportParser.oneLine(e.getMessage()),
          e);
    }
    try {
      return fetch(store);
    } catch (MessagingException e) {
      throw new ReportFetchException(
          "cannot read folder "
              + imap.folder()
              + " on "
              + imap.host()
              + ": "
              + ReportParser.oneLine(e.getMessage()),
          e);
    } finally {
      try {
        store.close();
      } catch (MessagingException e) {
        log.debug("imap close failed host={} error=\"{}\"", imap.host(), e.getMessage());
      }
    }
  }

  private FetchSummary fetch(Store store) throws MessagingException, ReportStoreException {
    Folder folder = store.getFolder(imap.folder());
    if (!folder.exists()) {
      throw new MessagingException("no such folder");
    }
    folder.open(Folder.READ_WRITE);
    boolean move = imap.afterRead() == MailsealConfig.AfterRead.MOVE;
    Folder target = null;
    if (move) {
      target = store.getFolder(imap.moveTo());
      if (!target.exists() && !target.create(Folder.HOLDS_MESSAGES)) {
        throw new MessagingException("cannot create folder " + imap.moveTo());
      }
    }
    try {
      Message[] messages =
          move
              ? folder.getMessages()
              : folder.search(new FlagTerm(new Flags(Flags.Flag.SEEN), false));
      ImportSummary total = ImportSummary.EMPTY;
      List<Message> done = new ArrayList<>();
      for (Message m : messages) {
        String source = "imap:" + imap.folder() + "/" + m.getMessageNumber();
        if (m.getSize() > maxMessageBytes) {
          total =
              total.plus(
                  new ImportSummary(
                      0,
                      0,
                      List.of(
                          new ReadOutcome.SetAside(
                              source, "larger than " + maxMessageBytes + " bytes as received"))));
        } else {
          ByteArrayOutputStream bytes = new ByteArrayOutputStream();
          try {
            m.writeTo(bytes);
          } catch (IOException e) {
            throw new MessagingException("cannot download message: " + e.getMessage(), e);
          }
          total =
              total.plus(
                  importer.importStream(source, new ByteArrayInputStream(bytes.toByteArray())));
        }
        done.add(m);
      }
      Message[] read = done.toArray(new Message[0]);
      if (read.length > 0) {
        if (move) {
          moveTo(store, folder, target, read);
        } else {
          folder.setFlags(read, new Flags(Flags.Flag.SEEN), true);
        }
      }
      FetchSummary s = new FetchSummary(read.length, total);
      log.info(
          "dmarc reports fetched host={} folder=\"{}\" messages={} added={} known={} set-aside={}",
          imap.host(),
          imap.folder(),
          read.length,
          total.added(),
          total.duplicates(),
          total.setAside().size());
      return s;
    } finally {
      if (folder.isOpen()) {
        folder.close(move);
      }
    }
  }

  private static void moveTo(Store store, Folder folder, Folder target, Message[] read)
      throws MessagingException {
    if (store instanceof IMAPStore s && s.hasCapability("MOVE") && folder instanceof IMAPFolder f) {
      f.moveMessages(read, target);
      return;
    }
    // RFC 6851's MOVE is missing: copy, then delete (expunged when the folder closes).
    folder.copyMessages(read, target);
    folder.setFlags(read, new Flags(Flags.Flag.DELETED), true);
  }

  private Properties properties(String protocol) {
    Properties p = new Properties();
    String pre = "mail." + protocol + ".";
    p.put(pre + "connectiontimeout", Integer.toString(TIMEOUT_MILLIS));
    p.put(pre + "timeout", Integer.toString(TIMEOUT_MILLIS));
    p.put(pre + "writetimeout", Integer.toString(TIMEOUT_MILLIS));
    switch (imap.tls()) {
      case IMPLICIT -> {
        p.put(pre + "ssl.enable", "true");
        p.put(pre + "ssl.socketFactory", tls);
        p.put(pre + "ssl.checkserveridentity", "true");
      }
      case STARTTLS -> {
        p.put(pre + "starttls.enable", "true");
        p.put(pre + "starttls.required", "true");
        p.put(pre + "ssl.socketFactory", tls);
        p.put(pre + "ssl.checkserveridentity", "true");
      }
      case NONE -> {
        // plain IMAP, for a mailbox on this host or a test server
      }
    }
    return p;
  }
}
