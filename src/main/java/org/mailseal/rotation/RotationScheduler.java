// SPDX-License-Identifier: Apache-2.0
package org.mailseal.rotation;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TimeZone;
import org.quartz.CronScheduleBuilder;
import org.quartz.CronTrigger;
import org.quartz.JobBuilder;
import org.quartz.JobDataMap;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the rotation on Quartz: per configured domain a {@code GenerateKeyJob} on the domain's cron
 * schedule (UTC; a firing missed while no scheduler ran happens once, at the next start), and one
 * {@code ReconcileJob} at start and then every reconcile interval. Both only call the {@link
 * Rotator}, whose planner makes a doubled or caught-up firing generate nothing more.
 *
 * <p>The Quartz scheduler is built from the properties the caller gives: {@link #embedded(String)}
 * (in-memory job store) by default; cluster mode passes JDBC job-store properties ({@code
 * org.quartz.jobStore.class}, {@code isClustered}, data source …) so a schedule fires on one node.
 * Whatever is given, the update check is off. Jobs are built by our job factory with the {@link
 * Rotator}; their job data holds only the domain name, so a persistent store holds no secrets.
 *
 * <p>Call order: construct, {@link #start()}, {@link #close()}. {@link #start()} makes the stored
 * triggers match the configuration: a domain whose schedule changed gets a new trigger, one whose
 * schedule is unchanged keeps its trigger (and so its misfire), a domain no longer configured loses
 * its job.
 */
public final class RotationScheduler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RotationScheduler.class);

  /** The Quartz group of every job and trigger of ours. */
  static final String GROUP = "mailseal-rotation";

  private static final String GENERATE_PREFIX = "generate.";
  private static final JobKey RECONCILE = JobKey.jobKey("reconcile", GROUP);
  private static final TimeZone UTC = TimeZone.getTimeZone("UTC");

  private final Scheduler scheduler;
  private final Rotator rotator;
  private final Duration reconcileInterval;

  /**
   * Builds (but does not start) a Quartz scheduler from {@code quartz}.
   *
   * @param quartz Quartz properties, such as {@link #embedded(String)}; {@code
   *     org.quartz.scheduler.instanceName} must not name a scheduler already running in this JVM
   * @param rotator what the jobs run, and the domains and schedules to run it for
   * @param reconcileInterval time between periodic reconciles
   * @throws RotationException when Quartz rejects the properties or cannot reach its job store
   */
  public RotationScheduler(Properties quartz, Rotator rotator, Duration reconcileInterval)
      throws RotationException {
    this(build(quartz), rotator, reconcileInterval);
  }

  /** Over an already built, not yet started Quartz scheduler; sets our job factory on it. */
  RotationScheduler(Scheduler scheduler, Rotator rotator, Duration reconcileInterval)
      throws RotationException {
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.rotator = Objects.requireNonNull(rotator, "rotator");
    if (reconcileInterval.isNegative() || reconcileInterval.isZero()) {
      throw new IllegalArgumentException("RotationScheduler: reconcileInterval must be positive");
    }
    this.reconcileInterval = reconcileInterval;
    try {
      scheduler.setJobFactory(new RotationJobFactory(rotator));
    } catch (SchedulerException e) {
      throw new RotationException("cannot set the rotation job factory: " + e.getMessage(), e);
    }
  }

  /**
   * The embedded default: an in-memory job store, two daemon worker threads, no update check. A
   * restart forgets the triggers; the reconcile at start catches up a generation missed meanwhile.
   */
  public static Properties embedded(String instanceName) {
    Properties p = base();
    p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, instanceName);
    p.setProperty(StdSchedulerFactory.PROP_JOB_STORE_CLASS, "org.quartz.simpl.RAMJobStore");
    p.setProperty("org.quartz.jobStore.misfireThreshold", "60000");
    return p;
  }

  /** What every rotation scheduler has unless the caller says otherwise: two daemon threads. */
  private static Properties base() {
    Properties p = new Properties();
    p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, "mailseal-rotation");
    p.setProperty(StdSchedulerFactory.PROP_SCHED_MAKE_SCHEDULER_THREAD_DAEMON, "true");
    p.setProperty(StdSchedulerFactory.PROP_THREAD_POOL_CLASS, QuartzThreads.class.getName());
    p.setProperty("org.quartz.threadPool.threadCount", "2");
    p.setProperty("org.quartz.threadPool.threadNamePrefix", "mailseal-rotation");
    p.setProperty(StdSchedulerFactory.PROP_JOB_STORE_CLASS, "org.quartz.simpl.RAMJobStore");
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    return p;
  }

  private static Scheduler build(Properties quartz) throws RotationException {
    Properties p = base();
    p.putAll(quartz);
    // Never phone home, whatever the caller passed.
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    String name = p.getProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME);
    try {
      // Quartz keeps schedulers in a JVM-wide repository by name: a second one of the same name
      // would be the first one, with our job factory replaced under it.
      if (SchedulerRepository.getInstance().lookup(name) != null) {
        throw new RotationException(
            "a Quartz scheduler named " + name + " already runs in this process", null);
      }
      return new StdSchedulerFactory(p).getScheduler();
    } catch (SchedulerException e) {
      throw new RotationException("cannot build the rotation scheduler: " + e.getMessage(), e);
    }
  }

  /**
   * Makes the stored jobs and triggers match the configuration, starts Quartz and runs the
   * reconcile once now.
   */
  public void start() throws RotationException {
    try {
      scheduleJobs();
      scheduler.start();
    } catch (SchedulerException e) {
      throw new RotationException("cannot start the rotation scheduler: " + e.getMessage(), e);
    }
  }

  /** The jobs and triggers of the configuration, without starting Quartz. */
  void scheduleJobs() throws SchedulerException {
    for (Map.Entry<String, RotationPolicy> e : rotator.policies().entrySet()) {
      scheduleGeneration(e.getKey(), e.getValue().schedule());
    }
    for (JobKey key : scheduler.getJobKeys(GroupMatcher.jobGroupEquals(GROUP))) {
      if (key.getName().startsWith(GENERATE_PREFIX)
          && !rotator.domains().contains(key.getName().substring(GENERATE_PREFIX.length()))) {
        scheduler.deleteJob(key);
        log.info("rotation schedule removed job={} (domain no longer configured)", key.getName());
      }
    }
    JobDetail reconcile =
        JobBuilder.newJob(ReconcileJob.class).withIdentity(RECONCILE).storeDurably().build();
    scheduler.addJob(reconcile, true);
    Trigger every =
        TriggerBuilder.newTrigger()
            .withIdentity(TriggerKey.triggerKey(RECONCILE.getName(), GROUP))
            .forJob(RECONCILE)
            .startNow()
            .withSchedule(
                SimpleScheduleBuilder.simpleSchedule()
                    .withIntervalInMilliseconds(reconcileInterval.toMillis())
                    .repeatForever()
                    .withMisfireHandlingInstructionNextWithRemainingCount())
            .build();
    // Always replaced: the reconcile runs once at every start, then on the configured interval.
    if (scheduler.checkExists(every.getKey())) {
      scheduler.rescheduleJob(every.getKey(), every);
    } else {
      scheduler.scheduleJob(every);
    }
    log.info("rotation reconcile scheduled interval={} (and now)", reconcileInterval);
  }

  private void scheduleGeneration(String domain, String cron) throws SchedulerException {
    scheduler.addJob(generationJob(domain), true);
    TriggerKey key = generationKey(domain);
    Trigger existing = scheduler.getTrigger(key);
    if (existing instanceof CronTrigger c
        && c.getCronExpression().equals(cron)
        && UTC.getID().equals(c.getTimeZone().getID())) {
      log.info(
          "rotation schedule kept domain={} schedule=\"{}\" next={}", domain, cron, next(existing));
      return;
    }
    Trigger trigger = generationTrigger(domain, cron, new Date());
    if (existing != null) {
      scheduler.rescheduleJob(key, trigger);
      log.info(
          "rotation schedule replaced domain={} old=\"{}\" schedule=\"{}\" next={}",
          domain,
          existing instanceof CronTrigger c ? c.getCronExpression() : existing.getKey(),
          cron,
          next(scheduler.getTrigger(key)));
    } else {
      scheduler.scheduleJob(trigger);
      log.info(
          "rotation schedule set domain={} schedule=\"{}\" next={}",
          domain,
          cron,
          next(scheduler.getTrigger(key)));
    }
  }

  /**
   * Fires {@code domain}'s generation job now, through Quartz, as its cron trigger would for the
   * firing due at {@code scheduledAt}: the same job, job factory, lock and planner rule, with the
   * scheduled time given instead of read from Quartz's wall clock. In a cluster the one-shot
   * trigger is stored like any other, and one node runs it. Returns once the trigger is stored; the
   * job runs on a Quartz thread.
   *
   * @throws RotationException when Quartz does not store the trigger (not started, domain unknown)
   */
  void fireGeneration(String domain, Instant scheduledAt) throws RotationException {
    JobDataMap data = new JobDataMap();
    data.put(GenerateKeyJob.SCHEDULED_AT, scheduledAt.toString());
    try {
      scheduler.triggerJob(JobKey.jobKey(GENERATE_PREFIX + domain, GROUP), data);
    } catch (SchedulerException e) {
      throw new RotationException(
          "cannot fire the generation of " + domain + ": " + e.getMessage(), e);
    }
  }

  /** The key of {@code domain}'s generation trigger. */
  static TriggerKey generationKey(String domain) {
    return TriggerKey.triggerKey(GENERATE_PREFIX + domain, GROUP);
  }

  /** The generation job of {@code domain}; its data is the domain name alone. */
  static JobDetail generationJob(String domain) {
    return JobBuilder.newJob(GenerateKeyJob.class)
        .withIdentity(JobKey.jobKey(GENERATE_PREFIX + domain, GROUP))
        .usingJobData(GenerateKeyJob.DOMAIN, domain)
        .storeDurably()
        .build();
  }

  /**
   * The generation trigger of {@code domain}: {@code cron} in UTC from {@code startAt}; a firing
   * missed while no scheduler ran fires once, as soon as one runs (Quartz's fire-once-now).
   */
  static Trigger generationTrigger(String domain, String cron, Date startAt) {
    return TriggerBuilder.newTrigger()
        .withIdentity(generationKey(domain))
        .forJob(JobKey.jobKey(GENERATE_PREFIX + domain, GROUP))
        .startAt(startAt)
        .withSchedule(
            CronScheduleBuilder.cronSchedule(cron)
                .inTimeZone(UTC)
                .withMisfireHandlingInstructionFireAndProceed())
        .build();
  }

  private static Object next(Trigger t) {
    return t == null || t.getNextFireTime() == null ? "never" : t.getNextFireTime().toInstant();
  }

  /** Stops Quartz, letting a running job finish. */
  @Override
  public void close() {
    try {
      scheduler.shutdown(true);
      log.info("rotation scheduler stopped");
    } catch (SchedulerException e) {
      log.warn("rotation scheduler did not stop cleanly error=\"{}\"", e.getMessage());
    }
  }
}
