import { Body, Get, Param, Patch } from '@nestjs/common';
import { JailValidationError } from '@fleetban/policy';
import { z } from 'zod';
import { InputError } from '../api/input-error';
import { AdminApi, BodyFrom } from '../api/openapi';
import { JailsService } from './jails.service';

const patchBody = z.record(z.string(), z.unknown());

@AdminApi('jails')
export class JailsController {
  constructor(private readonly jails: JailsService) {}

  @Get()
  async list() {
    return { items: await this.jails.list() };
  }

  @Get(':name')
  get(@Param('name') name: string) {
    return this.jails.get(name);
  }

  /** Changes some fields of a jail; the result is validated whole, and in force everywhere at once. */
  @Patch(':name')
  @BodyFrom(patchBody)
  async update(@Param('name') name: string, @Body() body: unknown) {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new InputError('body: send a JSON object of jail fields to change', null);
    if ('name' in body && (body as { name: unknown }).name !== name) throw new InputError('body field "name": a jail cannot be renamed', 'name');
    const current = await this.jails.get(name);
    try {
      return await this.jails.save({ ...current, ...body }, name);
    } catch (error) {
      if (error instanceof JailValidationError) {
        const issue = error.issues[0];
        throw new InputError(`body field "${issue?.path ?? ''}": ${issue?.message ?? error.message}`, issue?.path ?? null);
      }
      throw error;
    }
  }
}
