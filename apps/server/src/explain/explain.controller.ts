import { Get, Param } from '@nestjs/common';
import { AdminApi } from '../api/openapi';
import { ExplainService } from './explain.service';

@AdminApi('explain')
export class ExplainController {
  constructor(private readonly explainer: ExplainService) {}

  @Get(':ip')
  explain(@Param('ip') ip: string) {
    return this.explainer.explain(ip);
  }
}
