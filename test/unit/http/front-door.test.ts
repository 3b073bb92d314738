import { describe, expect, it } from 'vitest'
import { detectFrontDoor } from '../../../src/http/front-door.ts'
import {
  albEvent,
  albMultiValueEvent,
  frontDoorEvents,
  functionUrlEvent,
  httpApiV2Event,
  restApiV1Event,
} from '../../support/events.ts'

describe('detectFrontDoor', () => {
  it.each(frontDoorEvents)('tells $frontDoor from its factory event', ({ frontDoor, event }) => {
    expect(detectFrontDoor(event())).toBe(frontDoor)
    expect(detectFrontDoor(event({ cookieHeader: 'id=abc' }))).toBe(frontDoor)
  })

  it('tells an HTTP API v2 event by version 2.0 and requestContext.http', () => {
    expect(detectFrontDoor({ version: '2.0', requestContext: { http: { method: 'GET' } } })).toBe(
      'http-api-v2',
    )
    expect(detectFrontDoor(httpApiV2Event())).toBe('http-api-v2')
  })

  it('accepts a 2.0-shaped event without version (some local tools omit it)', () => {
    expect(detectFrontDoor({ requestContext: { http: { method: 'GET' } } })).toBe('http-api-v2')
  })

  it('tells a function URL by its lambda-url host, in any region and any case', () => {
    const event = functionUrlEvent()
    expect(event.requestContext.stage).toBe('$default')
    expect(detectFrontDoor(event)).toBe('function-url')
    for (const domainName of [
      'abc.lambda-url.us-east-1.on.aws',
      'ABC.LAMBDA-URL.AP-SOUTHEAST-2.ON.AWS',
      'k7xq2m4nd5sygzv3hfu6wcebtr2ap9ld.lambda-url.eu-west-1.on.aws',
    ]) {
      expect(detectFrontDoor({ version: '2.0', requestContext: { domainName, http: {} } })).toBe(
        'function-url',
      )
    }
  })

  it('does not take a lookalike host for a function URL', () => {
    for (const domainName of [
      'lambda-url.example.com',
      'abc.lambda-url.us-east-1.on.aws.evil.example',
      'abc.execute-api.us-east-1.amazonaws.com',
      'api.example.com',
    ]) {
      expect(detectFrontDoor({ version: '2.0', requestContext: { domainName, http: {} } })).toBe(
        'http-api-v2',
      )
    }
  })

  it('tells a REST API v1 event by httpMethod and requestContext.stage or resourcePath', () => {
    expect(detectFrontDoor(restApiV1Event())).toBe('rest-api-v1')
    expect(detectFrontDoor({ httpMethod: 'GET', requestContext: { stage: 'Prod' } })).toBe('rest-api-v1')
    expect(detectFrontDoor({ httpMethod: 'GET', requestContext: { resourcePath: '/' } })).toBe('rest-api-v1')
  })

  it('tells an HTTP API payload 1.0 event by version 1.0', () => {
    expect(
      detectFrontDoor({ version: '1.0', httpMethod: 'GET', requestContext: { stage: '$default' } }),
    ).toBe('rest-api-v1')
    expect(detectFrontDoor({ version: '1.0', requestContext: {} })).toBe('rest-api-v1')
  })

  it('tells ALB with and without multi-value headers', () => {
    expect(detectFrontDoor(albEvent())).toBe('alb')
    expect(detectFrontDoor(albMultiValueEvent())).toBe('alb-multi-value')
    const elb = { targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:1:targetgroup/x/y' }
    expect(detectFrontDoor({ requestContext: { elb }, httpMethod: 'GET', headers: {} })).toBe('alb')
    expect(detectFrontDoor({ requestContext: { elb }, httpMethod: 'GET', multiValueHeaders: {} })).toBe(
      'alb-multi-value',
    )
  })

  it('says unknown for anything else, and never throws', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('boom')
        },
      },
    )
    for (const event of [
      null,
      undefined,
      0,
      'GET /',
      [],
      {},
      { requestContext: null },
      { requestContext: 'x' },
      { httpMethod: 'GET' },
      { httpMethod: 'GET', requestContext: {} },
      { version: '3.0', requestContext: { http: {} } },
      { Records: [{ eventSource: 'aws:sqs' }] },
      hostile,
    ]) {
      expect(detectFrontDoor(event)).toBe('unknown')
    }
  })
})
