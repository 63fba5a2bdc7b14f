import { expect } from 'chai';
import { checkPasswordPolicy, generatePassword, MIN_PASSWORD_LENGTH, verifyPassword } from '../../access/index.ts';
import { hashPassword } from '../../access/passwords.ts';

describe('passwords', () => {
  it(`refuses one shorter than ${MIN_PASSWORD_LENGTH} characters`, () => {
    expect(() => checkPasswordPolicy('Tr0ub4dor&3x')).to.not.throw();
    expect(() => checkPasswordPolicy('Tr0ub4dor&3')).to.throw(/at least 12/);
  });

  it('refuses the common passwords of the SecLists list, whatever the case', () => {
    expect(() => checkPasswordPolicy('1qaz2wsx3edc')).to.throw(/commonly used/);
    expect(() => checkPasswordPolicy('1QAZ2WSX3EDC')).to.throw(/commonly used/);
  });

  it('refuses one containing the user name', () => {
    expect(() => checkPasswordPolicy('alice-in-wonderland-7', 'alice')).to.throw(/user name/);
  });

  it('generates passwords that pass the policy, different each time', () => {
    const a = generatePassword();
    expect(() => checkPasswordPolicy(a)).to.not.throw();
    expect(a).to.have.length(20);
    expect(generatePassword()).to.not.equal(a);
  });

  it('hashes with argon2id and verifies only the right password', async () => {
    const hash = await hashPassword('correct horse battery staple');
    expect(hash).to.match(/^\$argon2id\$/);
    expect(await verifyPassword(hash, 'correct horse battery staple')).to.equal(true);
    expect(await verifyPassword(hash, 'correct horse battery stapler')).to.equal(false);
    expect(await verifyPassword('not a hash', 'x')).to.equal(false);
  });
});
