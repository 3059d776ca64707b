export * from '../../tools/demo/mailtargetSender';
