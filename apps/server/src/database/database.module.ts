import { Global, Module } from '@nestjs/common';
import { PgPool } from './pg-pool';
import { PrismaService } from './prisma.service';

@Global()
@Module({ providers: [PrismaService, PgPool], exports: [PrismaService, PgPool] })
export class DatabaseModule {}
