// SPDX-License-Identifier: Apache-2.0
package org.mailseal.rotation;

import java.time.Instant;
import org.mailseal.keys.KeyStoreException;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A domain's rotation schedule fired: generate the keys due at the scheduled time. Its job data
 * holds only the domain name; the {@link Rotator} comes from our job factory. A firing that finds a
 * PENDING key, or a key already made for that time, does nothing.
 */
@DisallowConcurrentExecution
final class GenerateKeyJob implements Job {
  private static final Logger log = LoggerFactory.getLogger(GenerateKeyJob.class);

  /** The job data key of the domain name. */
  static final String DOMAIN = "domain";

  /**
   * The trigger data key of the scheduled time (ISO-8601) of a firing made by {@link
   * RotationScheduler#fireGeneration}; a cron firing has none and uses its own scheduled time.
   */
  static final String SCHEDULED_AT = "scheduledAt";

  private final Rotator rotator;

  GenerateKeyJob(Rotator rotator) {
    this.rotator = rotator;
  }

  @Override
  public void execute(JobExecutionContext context) {
    String domain = context.getMergedJobDataMap().getString(DOMAIN);
    if (domain == null || !rotator.domains().contains(domain)) {
      log.warn("rotation schedule fired for an unconfigured domain={}; ignored", domain);
      return;
    }
    String given = context.getMergedJobDataMap().getString(SCHEDULED_AT);
    Instant at = given != null ? Instant.parse(given) : context.getScheduledFireTime().toInstant();
    try {
      rotator.generate(domain, at);
    } catch (KeyStoreException | RuntimeException e) {
      // The reconcile's catch-up generates at its next run: the schedule is not lost.
      log.error(
          "scheduled key generation failed domain={} scheduled={} error=\"{}\"",
          domain,
          at,
          e.getMessage(),
          e);
    }
  }
}
