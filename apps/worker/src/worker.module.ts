import { DynamicModule, Injectable, Module, OnApplicationBootstrap } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import type { TbConfigModuleOptions } from '@tb/config';
import { PlatformModule } from '@tb/platform';
import { assertEveryJobHandled } from '@tb/jobs';
import { MaintenanceService } from './maintenance/maintenance.service';
import { MaintenanceProcessor } from './maintenance/maintenance.processor';

/** Fails boot when a job of the queue contract has no handler in this worker. */
@Injectable()
class JobContractCheck implements OnApplicationBootstrap {
  onApplicationBootstrap(): void {
    assertEveryJobHandled();
  }
}

/** The worker: BullMQ processors, schedulers, and its own health/metrics port. */
@Module({})
export class WorkerModule {
  static forRoot(options: TbConfigModuleOptions = {}): DynamicModule {
    return {
      module: WorkerModule,
      imports: [PlatformModule.forRoot(options), ScheduleModule.forRoot()],
      providers: [MaintenanceService, MaintenanceProcessor, JobContractCheck],
    };
  }
}
