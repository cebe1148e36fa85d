// SPDX-License-Identifier: Apache-2.0
package org.mailseal.rotation;

import org.quartz.Job;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.spi.JobFactory;
import org.quartz.spi.TriggerFiredBundle;

/**
 * Builds our jobs with their dependencies (Quartz's default factory would need a no-argument
 * constructor and static state to reach them). Job data carries only names.
 */
final class RotationJobFactory implements JobFactory {
  private final Rotator rotator;

  RotationJobFactory(Rotator rotator) {
    this.rotator = rotator;
  }

  @Override
  public Job newJob(TriggerFiredBundle bundle, Scheduler scheduler) throws SchedulerException {
    Class<? extends Job> type = bundle.getJobDetail().getJobClass();
    if (type == GenerateKeyJob.class) {
      return new GenerateKeyJob(rotator);
    }
    if (type == ReconcileJob.class) {
      return new ReconcileJob(rotator);
    }
    throw new SchedulerException("not a rotation job: " + type.getName());
  }
}
