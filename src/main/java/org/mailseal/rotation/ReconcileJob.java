// SPDX-License-Identifier: Apache-2.0
package org.mailseal.rotation;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;

/**
 * The periodic reconcile of every configured domain (at start, then every reconcile interval): it
 * only calls the {@link Rotator}, so a missed or doubled firing changes nothing.
 */
@DisallowConcurrentExecution
final class ReconcileJob implements Job {
  private final Rotator rotator;

  ReconcileJob(Rotator rotator) {
    this.rotator = rotator;
  }

  @Override
  public void execute(JobExecutionContext context) {
    rotator.reconcileAll();
  }
}
